"""Section 一 of the annual report for the kinds of DOMAIN.md §7: 行政执法, 重大行政决策, “三书”, 12345 诉求,
公共法律服务 and 述法, as prose in the style of published reports (R01–R16), each theme written only when the
unit has such activities in the year. Declared here with the clauses of prose.py and written by its
`section_one`, after the themes there (`docx_report` numbers them on).

A clause is a verb, the figure's wording and its value; zero and null values are left out, and a theme with
nothing left out entirely. Amounts (元) are written exactly, with their cents (§7.1); counts may be
approximated (23 → 20余) like every other count of the report; rates never are.
"""

from __future__ import annotations

from .prose import Theme, _c  # the clauses of prose.py's themes

THEMES: tuple[Theme, ...] = (
    Theme(
        "严格规范公正文明执法",
        (
            _c("enforcement.penalty_cases", "立案查处", "行政处罚案件"),
            _c("enforcement.simple", "", "简易程序", part_of="enforcement.penalty_cases"),
            _c("enforcement.ordinary", "", "普通程序", lead="、", part_of="enforcement.penalty_cases"),
            _c("enforcement.penalty_decisions", "作出", "行政处罚决定", lead="；"),
            _c("enforcement.forfeitures", "", "罚没金额"),
            _c("enforcement.fines", "", "罚款", lead="（", part_of="enforcement.forfeitures"),
            _c("enforcement.lenient", "", "包容审慎（不予、从轻、减轻处罚）", lead="；"),
            _c("enforcement.transferred", "", "涉嫌犯罪移送司法机关", lead="；"),
            _c("enforcement.withdrawn", "", "撤销立案", lead="；"),
            _c("enforcement.compulsion_measures", "实施", "行政强制措施", lead="；"),
            _c("enforcement.compulsion_executions", "", "行政强制执行", lead="、"),
            _c("enforcement.court_applications", "", "申请法院强制执行", lead="、"),
            _c("enforcement.inspections", "开展", "行政检查", lead="；"),
            _c("enforcement.licence_applications", "受理", "行政许可申请", lead="；"),
            _c("enforcement.licence_granted", "", "准予许可"),
            _c("enforcement.licence_refused", "", "不予许可", lead="、"),
            _c("enforcement.other_acts", "实施", "其他行政执法行为", lead="；"),
            _c("enforcement.legal_reviews", "开展", "法制审核", lead="；"),
            _c("enforcement.legal_review_corrections", "", "审核纠错"),
            _c("enforcement.execution_rate", "", "行政处罚决定执结率", lead="；"),
            _c("enforcement.publication_rate", "", "公示率", lead="、"),
            _c("enforcement.on_time_rate", "", "普通程序案件按期办结率", lead="、"),
        ),
    ),
    Theme(
        "推进重大行政决策科学化、民主化、法治化",
        (
            _c("decision.catalogued", "将", "事项纳入重大行政决策目录"),
            _c("decision.adopted", "", "已出台", part_of="decision.catalogued"),
            _c("decision.pending", "", "按程序推进", lead="、", part_of="decision.catalogued"),
            _c("decision.made", "经集体讨论决定", "重大行政决策", lead="；"),
            _c("decision.review_rate", "", "合法性审查率"),
        ),
    ),
    Theme(
        "自觉接受司法监督，认真办理“三书”",
        (
            _c("letters.received", "收到", "司法建议、检察建议和行政复议意见书（“三书”）"),
            _c("letters.judicial", "", "司法建议", part_of="letters.received"),
            _c("letters.procuratorial", "", "检察建议", lead="、", part_of="letters.received"),
            _c("letters.reconsideration", "", "行政复议意见书", lead="、", part_of="letters.received"),
            _c("letters.on_time_rate", "", "按期办复率", lead="；"),
        ),
    ),
    Theme(
        "畅通诉求渠道，回应群众关切",
        (
            _c("hotline.received", "受理", "12345热线等群众诉求"),
            _c("hotline.conclusion_rate", "", "办结率"),
            _c("hotline.satisfaction_rate", "", "满意率（含基本满意）"),
        ),
    ),
    Theme(
        "完善公共法律服务",
        (
            _c("legal_service.receptions", "接待办事群众", ""),
            _c("legal_service.consultations", "提供法律咨询", ""),
            _c("legal_service.duty_sessions", "法律顾问值班坐班", ""),
            _c("legal_service.mediations", "开展人民调解", ""),
        ),
    ),
    Theme(
        "落实述法制度",
        (
            _c("law_report.reports", "组织述法", ""),
            _c("law_report.principals_on_site", "其中党政主要负责人现场述法", ""),
        ),
    ),
)
