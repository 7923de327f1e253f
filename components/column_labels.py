"""Chinese-first headers for the columns query frames carry (ids, codes, dates), shared by the pages
that show raw evidence or failing rows, so one column reads the same everywhere."""
from __future__ import annotations

import pandas as pd

from components.i18n import tr

COLUMN_LABELS: dict[str, tuple[str, str]] = {
           "case_no": ("案号", "Case no."), "charge": ("罪名", "Charge"), "stage": ("阶段", "Stage"),
           "procedure": ("程序", "Procedure"), "accepted_at": ("受理时间", "Accepted"),
           "stage_entered_at": ("进入本阶段", "Stage entered"), "department": ("承办部门", "Department"),
           "seq": ("序号", "No."), "name": ("姓名", "Name"), "id_masked": ("身份证号", "ID no."),
           "arrest_decision": ("批捕决定", "Arrest"), "prosecution_decision": ("起诉决定", "Prosecution"),
           "non_prosecution_type": ("不起诉类型", "Non-prosecution"),
           "prosecution_decided_at": ("决定时间", "Decided"), "occurred_at": ("时间", "At"),
           "event_type": ("事件", "Event"), "note": ("说明", "Note"), "person_code": ("监管编号", "Code"),
           "measure": ("措施", "Measure"), "start_date": ("起始", "From"), "end_date": ("届满", "Until"),
           "status": ("状态", "Status"), "code": ("河道编码", "Code"), "level": ("级别", "Level"),
           "town": ("街镇", "Town"), "length_km": ("长度(km)", "Length (km)"), "month": ("月份", "Month"),
           "sampled_on": ("采样日", "Sampled"), "water_class": ("水质类别", "Class"),
           "main_pollutants": ("主要污染物", "Main pollutants"), "do_mg": ("溶解氧", "DO"), "nh3n": ("氨氮", "NH3-N"),
           "tp": ("总磷", "TP"),
    # data-quality failing rows (components.catalogue_view)
    "case_id": ("案件ID", "Case id"), "event_id": ("事件ID", "Event id"), "suspect_id": ("嫌疑人ID", "Suspect id"),
    "supervised_id": ("监管ID", "Supervised id"), "river_id": ("河道ID", "River id"), "site_id": ("站点ID", "Site id"),
    "sample_id": ("样本ID", "Sample id"), "public_id": ("人员编号", "Person id"), "district_id": ("区划代码", "District"),
    "home_district_id": ("居住区", "Home district"), "function": ("业务类别", "Function"),
    "closed_at": ("结案时间", "Closed"), "arrest_review_at": ("提请逮捕时间", "Arrest review"),
    "arrest_decided_at": ("逮捕决定时间", "Arrest decided"), "stage_from": ("原阶段", "From stage"),
    "stage_to": ("新阶段", "To stage"), "name_masked": ("姓名（脱敏）", "Name (masked)"),
    "dataset": ("数据集", "Data set"), "frequency": ("更新频率", "Frequency"), "last_update": ("最近更新", "Last update"),
    "age_days": ("距今天数", "Age (days)"), "allowed_days": ("允许天数", "Allowed (days)")}


def labelled_columns(df: pd.DataFrame) -> pd.DataFrame:
    """The same frame with the known columns renamed for the reader's language."""
    return df.rename(columns={k: tr(*v) for k, v in COLUMN_LABELS.items() if k in df.columns})
