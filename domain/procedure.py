"""The per-suspect procedural vocabulary (issue 12): what each suspect (犯罪嫌疑人) of a criminal case
goes through, in the words the SPP's statistics use. Decisions are taken per person, not per case:
one suspect of a case may be arrested and another released on bail, one prosecuted and another not.

Sources: CPL 2018 arts. 81–98 (arrest), 170, 172–177 (prosecution review and non-prosecution),
201 (sentencing recommendation); SPP Rules 2019 arts. 274–289; shared/domain/procuratorate.md §1.2.
Pure data; ``queries.schema.Suspect`` and ``queries.schema.CustodyPeriod`` store it.
"""
from __future__ import annotations

# Arrest review outcomes. 批准逮捕 / 不批准逮捕 answer a police request (CPL art. 87–90);
# 决定逮捕 / 不予逮捕 are the procuratorate's own decision (cases from a supervisory commission,
# CPL art. 170; suspects first seen in prosecution review, Rules art. 289; self-investigated cases).
APPROVED, DECIDED, NOT_APPROVED, NOT_DECIDED = "批准逮捕", "决定逮捕", "不批准逮捕", "不予逮捕"
ARREST_DECISIONS: tuple[str, ...] = (APPROVED, DECIDED, NOT_APPROVED, NOT_DECIDED)
ARRESTED: tuple[str, ...] = (APPROVED, DECIDED)
NOT_ARRESTED: tuple[str, ...] = (NOT_APPROVED, NOT_DECIDED)

# Custody status over time (one CustodyPeriod row per spell). 拘留 and 逮捕 are custody (羁押);
# 取保候审 and 监视居住 are non-custodial measures (CPL arts. 66–80); 释放 closes the record.
CUSTODY_MEASURES: tuple[str, ...] = ("拘留", "逮捕", "取保候审", "监视居住", "释放")
IN_CUSTODY: tuple[str, ...] = ("拘留", "逮捕")

# Prosecution decision and the kinds of non-prosecution (CPL arts. 175(4), 177(1), 177(2), 282).
PROSECUTE, NOT_PROSECUTE = "起诉", "不起诉"
PROSECUTION_DECISIONS: tuple[str, ...] = (PROSECUTE, NOT_PROSECUTE)
NON_PROSECUTION_TYPES: tuple[str, ...] = ("法定不起诉", "酌定不起诉", "存疑不起诉", "附条件不起诉")

# Sentencing recommendation (CPL art. 176(2), 201): a determinate term or a range.
REC_FIXED, REC_RANGE = "确定刑", "幅度刑"
REC_KINDS: tuple[str, ...] = (REC_FIXED, REC_RANGE)

# The principal penalty of a judgment, plus acquittal. 缓刑 is a way of executing 拘役 or 有期徒刑
# (Criminal Law art. 72), stored as ``probation`` beside the kind.
JUDGMENT_KINDS: tuple[str, ...] = ("免予刑事处罚", "单处罚金", "管制", "拘役", "有期徒刑", "无期徒刑", "无罪")

# The procedure the case is handled in (CPL arts. 214, 222): 速裁 has its own, shorter limits.
PROCEDURES: tuple[str, ...] = ("普通", "简易", "速裁")
# Who sent the case: the police, a supervisory commission (CPL art. 170), or the procuratorate's own
# investigation department (CPL art. 19(2)).
ORIGINS: tuple[str, ...] = ("公安机关", "监察机关", "检察机关")
