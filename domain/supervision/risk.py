"""The risk code (green / yellow / red) of a supervised person: a rule a prosecutor can read.

    score = Σ points[kind] × number of that person's alerts of that kind raised in the last
            ``window_days`` days (alerts closed as a false alarm, note starting with "[误报]", do not
            count) + points for each missed check-in task in the window
    red     if the person absconded (脱管), or score ≥ red_at
    yellow  if score ≥ yellow_at
    green   otherwise

Default points: 进入禁区 4, 逾期未返 4, 越界 3, 人机分离 3, 未签到 (per missed task) 2, 设备离线 1,
低电量 0; yellow from 3, red from 8, over 30 days. Every part is a field of ``RiskRule`` so a
procuratorate can tune it; ``explain`` turns the rule into the sentence shown on the personnel page.
The reasons list says exactly which counts produced the code, e.g. "近30天越界告警 2 次（+6）".
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping

from domain.supervision.engine import (
    BANNED, BREACH, KINDS_EN, LATE_RETURN, LOW_BATTERY, MISSED_CHECKIN, OFFLINE, SEPARATED,
)

FALSE_ALARM_TAG = "[误报]"
CODES = ("green", "yellow", "red")
CODE_ZH = {"green": "绿码", "yellow": "黄码", "red": "红码"}


def _default_points() -> dict[str, int]:
    return {BANNED: 4, LATE_RETURN: 4, BREACH: 3, SEPARATED: 3, MISSED_CHECKIN: 2, OFFLINE: 1,
            LOW_BATTERY: 0}


@dataclass(frozen=True)
class RiskRule:
    window_days: int = 30
    points: Mapping[str, int] = field(default_factory=_default_points)
    yellow_at: int = 3
    red_at: int = 8

    def explain(self) -> str:
        pts = "、".join(f"{k} {v} 分" for k, v in sorted(self.points.items(), key=lambda kv: -kv[1]))
        return (f"近 {self.window_days} 天内：{pts}（未签到按次计，误报不计）；"
                f"合计 ≥ {self.red_at} 分或脱管为红码，≥ {self.yellow_at} 分为黄码，其余为绿码。")

    def explain_en(self) -> str:
        pts = ", ".join(f"{KINDS_EN.get(k, k)} {v}" for k, v in sorted(self.points.items(),
                                                                       key=lambda kv: -kv[1]))
        return (f"Last {self.window_days} days, points per alert: {pts} (missed check-ins per task, "
                f"false alarms excluded); ≥ {self.red_at} or absconded = red, ≥ {self.yellow_at} = "
                f"yellow, else green.")


DEFAULT_RULE = RiskRule()


def risk_code(counts: Mapping[str, int], rule: RiskRule = DEFAULT_RULE,
              absconded: bool = False) -> tuple[str, int, list[str]]:
    """(code, score, reasons) from counts per alert kind (未签到 = missed tasks) in the window."""
    reasons: list[str] = []
    score = 0
    for kind in sorted(counts, key=lambda k: (-rule.points.get(k, 0), k)):
        n = int(counts[kind] or 0)
        pts = rule.points.get(kind, 0)
        if n <= 0 or pts <= 0:
            continue
        score += n * pts
        unit = "次" if kind != MISSED_CHECKIN else "次（签到任务）"
        reasons.append(f"近{rule.window_days}天{kind} {n} {unit}（+{n * pts}）")
    if absconded:
        reasons.insert(0, "已脱管")
        return "red", score, reasons
    code = "red" if score >= rule.red_at else "yellow" if score >= rule.yellow_at else "green"
    if not reasons:
        reasons.append(f"近{rule.window_days}天无告警")
    return code, score, reasons
