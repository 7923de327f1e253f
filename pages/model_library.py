"""模型库: the legal-supervision models in effect here, their definitions and versions; change a
model's parameters (the new version is shown before saving), export models to a file and import a
file another procuratorate exported (its preview first, then a confirm button).

Queries: queries.model_library (effective_models, last_runs, history, propose_params, set_params,
export_models, preview_import, apply_import). Rendering: components.model_library_view.
"""
import streamlit as st

from components import auth
from components.i18n import tr
from components.model_library_view import definition, history_table, import_preview, param_inputs
from components.shell import friendly_errors, inject_font
from domain import clock
from domain.models import ModelError
from queries import model_library as lib
from queries.cache import get_engine

inject_font()
scope = auth.scope("models")
st.title(tr("模型库", "Model library"))
st.caption(tr("法律监督模型的定义、参数和版本。调整参数即产生新版本，线索记录发现它的版本；模型可导出给其他院，"
              "也可导入其他院的模型（先预览，确认后写入）。",
              "The legal-supervision models' definitions, parameters and versions. Changing a parameter makes a new "
              "version and each hit keeps the version that found it; models can be exported to other "
              "procuratorates and theirs imported (preview first, then confirm)."))
engine = get_engine()

with friendly_errors(tr("模型库", "Model library")):
    models = lib.effective_models(engine)
    runs = lib.last_runs(engine, scope).set_index("model_key")
    key = st.selectbox(tr("模型", "Model"), list(models), key="ml_model",
                       format_func=lambda k: f"{tr(models[k].name_zh, models[k].name_en)}（{k}）")
    model = models[key]
    definition(model, runs.loc[key].to_dict() if key in runs.index else None)

    t_params, t_history, t_export, t_import = st.tabs([tr("调整参数", "Change parameters"), tr("版本历史", "Versions"),
                                                       tr("导出", "Export"), tr("导入", "Import")])
    with t_params:
        with st.form(f"ml_form_{key}"):
            values = param_inputs(model, "ml")
            proposed = st.form_submit_button(tr("预览新版本", "Preview the new version"))
        if proposed:
            st.session_state["ml_proposal"] = (key, values)
        proposal = st.session_state.get("ml_proposal")
        if proposal and proposal[0] == key:
            try:
                new = lib.propose_params(engine, key, proposal[1])
            except ModelError as exc:
                st.error(str(exc))
            else:
                if new.version == model.version:
                    st.info(tr("参数与当前版本相同，不会产生新版本。", "Same as the version in effect: nothing to save."))
                else:
                    st.warning(tr(f"保存后版本由 {model.version} 变为 {new.version}；此后发现的线索记录新版本，"
                                  "下次运行按新版本全量重算。",
                                  f"Saving changes the version from {model.version} to {new.version}; hits found "
                                  "from then on record it, and the next run is a full one."))
                    if st.button(tr("保存为新版本", "Save as a new version"), type="primary", key="ml_save"):
                        with friendly_errors(failed=tr("参数未保存", "The parameters were not saved")):
                            change = lib.set_params(engine, scope, key, proposal[1], auth.actor(), clock.now())
                            st.session_state.pop("ml_proposal", None)
                            st.success(change.message)
    with t_history:
        history_table(lib.history(engine, scope, key))
    with t_export:
        keys = st.multiselect(tr("导出的模型", "Models to export"), list(models), default=[key], key="ml_export")
        if keys:
            st.download_button(tr("下载模型文件（JSON）", "Download the model file (JSON)"),
                               lib.export_models(engine, keys).encode("utf-8"),
                               file_name=f"models_{clock.today():%Y%m%d}.json", mime="application/json",
                               key="ml_download")
    with t_import:
        up = st.file_uploader(tr("选择模型文件（JSON）", "Choose a model file (JSON)"), type=["json"], key="ml_upload")
        if up is not None:
            text = up.getvalue().decode("utf-8", errors="replace")
            preview = lib.preview_import(engine, text)
            if preview.error:
                st.error(tr(f"无法导入：{preview.error}", f"Cannot import: {preview.error}"))
            else:
                import_preview(preview.frame(), preview.installation, preview.exported_at)
                n = len(preview.to_write)
                if n and st.button(tr(f"确认导入 {n} 个模型版本", f"Import {n} model version(s)"), type="primary",
                                   key="ml_import"):
                    with friendly_errors(failed=tr("导入未完成", "The import did not happen")):
                        lib.apply_import(engine, scope, text, auth.actor(), clock.now(), up.name)
                        st.success(tr(f"已导入 {n} 个模型版本。", f"Imported {n} model version(s)."))
                elif not n:
                    st.info(tr("文件中没有可写入的内容。", "Nothing in the file to write."))
