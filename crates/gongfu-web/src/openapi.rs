//! The OpenAPI 3.1 document served at `/api/openapi.json`, written out by hand from the same
//! route list as `api::routes` (a test checks the two agree).

use axum::Json;
use serde_json::{Value, json};

/// (method, path, summary in Chinese, request body schema name or "")
pub const OPERATIONS: &[(&str, &str, &str, &str)] = &[
    ("get", "/healthz", "健康检查（数据库可用时返回 ok）", ""),
    (
        "get",
        "/api/v1/dashboard",
        "总览指标：覆盖率、片区等级、经营性收入、薄弱村、目标进度",
        "",
    ),
    (
        "get",
        "/api/v1/villages",
        "村庄名录：搜索、按镇街/片区/薄弱村筛选、排序、分页",
        "",
    ),
    (
        "get",
        "/api/v1/villages/{code}",
        "单个村：基本信息、历年数据、所属片区及历史",
        "",
    ),
    (
        "post",
        "/api/v1/villages/{code}/status",
        "设置村状态：正常 / 撤并（含去向）/ 撤销，自生效日期起",
        "VillageStatus",
    ),
    (
        "post",
        "/api/v1/villages/{code}/move",
        "调整村归属：移入某片区或移出（zone_id 为 null）",
        "MoveVillage",
    ),
    (
        "put",
        "/api/v1/villages/{code}/tags",
        "修改村的产业与资源标签（需提供 version）",
        "VillageTags",
    ),
    (
        "get",
        "/api/v1/zones",
        "片区列表：q 搜索、town 镇街、tier 等级（none 为未定级）、sort 排序、include_dissolved=1 含已撤销",
        "",
    ),
    ("post", "/api/v1/zones", "新建片区", "ZoneInput"),
    (
        "get",
        "/api/v1/zones/{id}",
        "片区详情：成员、等级、成员历史",
        "",
    ),
    (
        "put",
        "/api/v1/zones/{id}",
        "编辑片区（需提供 version，防止覆盖他人修改）",
        "ZoneInput",
    ),
    (
        "post",
        "/api/v1/zones/{id}/dissolve",
        "撤销片区（成员记录于生效日期结束）",
        "Dissolve",
    ),
    (
        "put",
        "/api/v1/zones/{id}/designations/{year}",
        "设定片区某年的等级与状态（申报→认定→验收，或退出）",
        "Designation",
    ),
    (
        "get",
        "/api/v1/coverage",
        "全域覆盖：行政村总数、已覆盖数、未覆盖名单、分镇街统计",
        "",
    ),
    ("get", "/api/v1/targets", "目标任务及完成进度", ""),
    ("put", "/api/v1/targets", "设定某年某项目标值", "Target"),
    (
        "get",
        "/api/v1/settings",
        "设置：薄弱村经营性收入标准（分）",
        "",
    ),
    ("put", "/api/v1/settings", "修改薄弱村标准", "Settings"),
    (
        "get",
        "/api/v1/map/villages.geojson",
        "一张图：全部村社边界（GeoJSON，属性含片区、收入、薄弱村）",
        "",
    ),
    (
        "post",
        "/api/v1/import/years",
        "导入年度数据（xlsx 请求体；mode=dry_run 只检查，mode=apply 全部成功才写入）",
        "xlsx",
    ),
    (
        "get",
        "/api/v1/import/years/template.xlsx",
        "下载年度数据导入模板",
        "",
    ),
    (
        "post",
        "/api/v1/import/boundaries",
        "导入村边界（GeoJSON 请求体，按村代码匹配；mode 同上）",
        "geojson",
    ),
    (
        "get",
        "/api/v1/export/villages.xlsx",
        "导出村庄名录（筛选参数同 GET /api/v1/villages；kind=all 含社区）",
        "",
    ),
    ("get", "/api/v1/export/zones.xlsx", "导出片区", ""),
    ("get", "/api/v1/export/years.xlsx", "导出历年数据", ""),
    (
        "get",
        "/api/v1/audit",
        "审计日志（区管理员、查看/审计）：actor 操作人、entity / entity_id 对象、from / to 日期",
        "",
    ),
    (
        "get",
        "/api/v1/export/audit.xlsx",
        "导出审计日志（筛选参数同上）",
        "",
    ),
    (
        "post",
        "/api/v1/plan/runs",
        "运行片区规划（后台运行，返回 202 与运行编号）",
        "PlanRequest",
    ),
    (
        "get",
        "/api/v1/plan/runs/{id}",
        "规划进度与结果：status 为 running / done / failed / cancelled，done / total 为已完成的搜索轮数",
        "",
    ),
    ("post", "/api/v1/plan/runs/{id}/cancel", "取消规划", ""),
    ("get", "/api/v1/plan/scenarios", "已保存的规划方案", ""),
    (
        "post",
        "/api/v1/plan/scenarios",
        "把一次完成的规划保存为方案：{name, run_id}",
        "SaveScenario",
    ),
    ("get", "/api/v1/plan/scenarios/{id}", "方案详情", ""),
    (
        "post",
        "/api/v1/plan/scenarios/{id}/adopt",
        "采纳方案（区管理员）：新建片区、扩展已有片区，全部记入审计日志",
        "VersionOnly",
    ),
    (
        "post",
        "/api/v1/plan/scenarios/{id}/delete",
        "删除未采纳的方案",
        "VersionOnly",
    ),
    (
        "post",
        "/api/v1/plan/sites",
        "设施选址：某类服务在全区或某片区新增 p 处设施的建议（中心服务区 + 功能服务点）、覆盖增量与距最优的可证明差距",
        "PlanSites",
    ),
    (
        "get",
        "/api/v1/facilities",
        "设施名录：按 type 类型、status 状态、town 镇街、zone 片区、village 村筛选（含中文标签）",
        "",
    ),
    (
        "post",
        "/api/v1/facilities",
        "登记设施（区管理员，或设施所在村的镇街）",
        "Facility",
    ),
    ("get", "/api/v1/facilities/{id}", "单个设施", ""),
    (
        "put",
        "/api/v1/facilities/{id}",
        "编辑设施（需提供 version；状态变化须符合规则）",
        "FacilityUpdate",
    ),
    (
        "post",
        "/api/v1/facilities/{id}/status",
        "变更设施状态：规划→在建→运行，→停用，停用→运行",
        "FacilityStatus",
    ),
    (
        "get",
        "/api/v1/villages/{code}/infra",
        "村的基础设施达标情况：公交、供水、供电、燃气、网络",
        "",
    ),
    (
        "put",
        "/api/v1/villages/{code}/infra/{item}",
        "设置某村某项基础设施的达标情况与差距（需提供 version，未填报时为 0）",
        "Infra",
    ),
    (
        "get",
        "/api/v1/zones/{id}/infra",
        "片区基础设施达标清单（一片一标准）：逐项列出达标、未达标（含差距）、不适用、未填报的村",
        "",
    ),
    (
        "get",
        "/api/v1/coverage/services",
        "服务覆盖：type 设施类型，radius_m 直线半径（米）或 minutes + speed_kmh（+ detour 绕行系数，默认 1.3）；可选 zone 片区、include_planned=1 计入在建与规划设施。返回全区与各片区的人口覆盖率、未覆盖的村及计算口径 method",
        "",
    ),
    (
        "get",
        "/api/v1/export/facilities.xlsx",
        "导出设施名录（筛选参数同 GET /api/v1/facilities）",
        "",
    ),
    (
        "post",
        "/api/v1/import/facilities",
        "导入设施（xlsx 请求体；有编号的行修改该设施，须带导出时的版本；mode=dry_run 只检查，mode=apply 全部成功才写入）",
        "xlsx",
    ),
    (
        "get",
        "/api/v1/import/facilities/template.xlsx",
        "下载设施导入模板",
        "",
    ),
    (
        "post",
        "/api/v1/zones/{id}/plan/service-layout",
        "为片区选址并保存到片区规划草案（请求体同 POST /api/v1/plan/sites，范围为该片区；无草案时自动起草新版本，审议中的不可改）",
        "PlanSites",
    ),
    (
        "get",
        "/api/v1/zones/{id}/plan",
        "片区规划（一片一规划）：现行（已批复）版本与全部版本",
        "",
    ),
    (
        "post",
        "/api/v1/zones/{id}/plan/versions",
        "起草新版本规划（复制最新版本；已有草案或审议中版本时拒绝）",
        "",
    ),
    (
        "put",
        "/api/v1/plans/{id}",
        "保存规划草案（需提供 version；只有草案可改）",
        "PlanDraft",
    ),
    (
        "post",
        "/api/v1/plans/{id}/step",
        "规划流转：submit 提交审议（各部分须填写完整）、return 退回修改、approve 批复（区管理员；替代原现行版本）",
        "PlanStep",
    ),
    (
        "get",
        "/api/v1/projects",
        "项目清单：zone、status、mechanism、village、lead_unit、overdue=true 逾期筛选",
        "",
    ),
    (
        "post",
        "/api/v1/projects",
        "新建项目（片区管理者或牵头部门）；可带 status 初始状态与 origin 来源（plan_task / decision）",
        "NewProject",
    ),
    (
        "get",
        "/api/v1/projects/{id}",
        "单个项目：投资、子项、进度、里程碑及佐证材料",
        "",
    ),
    (
        "put",
        "/api/v1/projects/{id}",
        "编辑项目（需提供 version；状态通过 /status 变更）",
        "ProjectUpdate",
    ),
    (
        "post",
        "/api/v1/projects/{id}/status",
        "项目状态流转：谋划→立项→在建→完工→运营→验收（完工可直接验收）；开工需开工日期，完工需子项全部 100% 且里程碑全部完成",
        "Status",
    ),
    (
        "put",
        "/api/v1/projects/{id}/items",
        "设置项目子项（名称、权重、进度）；项目进度按权重汇总",
        "Items",
    ),
    (
        "post",
        "/api/v1/projects/{id}/milestones",
        "新增里程碑",
        "Milestone",
    ),
    (
        "put",
        "/api/v1/milestones/{id}",
        "编辑里程碑（填写实际完成日期即完成；需提供 version）",
        "MilestoneUpdate",
    ),
    (
        "get",
        "/api/v1/zones/{id}/committee",
        "片区联席会议成员",
        "",
    ),
    (
        "post",
        "/api/v1/zones/{id}/committee",
        "增加联席会议成员",
        "Member",
    ),
    (
        "post",
        "/api/v1/committee/{id}/retire",
        "成员退出联席会议（保留记录）",
        "",
    ),
    ("get", "/api/v1/meetings", "会议列表：zone、year", ""),
    (
        "post",
        "/api/v1/meetings",
        "登记已召开的会议及其决定事项（每行一条）",
        "NewMeeting",
    ),
    (
        "get",
        "/api/v1/meetings/{id}",
        "单个会议：决定事项、由其形成的待办及附件",
        "",
    ),
    (
        "put",
        "/api/v1/meetings/{id}",
        "更正会议记录（已转为待办或项目的决定事项不可修改；需提供 version）",
        "MeetingUpdate",
    ),
    (
        "get",
        "/api/v1/actions",
        "待办事项：zone、status、overdue=true、owner=me（本人的待办）、owner_unit、open=true",
        "",
    ),
    (
        "post",
        "/api/v1/actions",
        "新建待办事项（可来自会议决定事项 decision，可指派账号 owner_user）",
        "NewAction",
    ),
    ("get", "/api/v1/actions/{id}", "单个待办事项", ""),
    (
        "put",
        "/api/v1/actions/{id}",
        "编辑待办事项（需提供 version；已办结的不可改）",
        "ActionUpdate",
    ),
    (
        "post",
        "/api/v1/actions/{id}/status",
        "待办状态：in_progress 推进中、done 已完成（须填办理结果）、cancelled 已取消（须说明原因）",
        "Status",
    ),
    ("get", "/api/v1/actors", "参与主体名录：kind、zone、q", ""),
    (
        "post",
        "/api/v1/actors",
        "登记参与主体（统一社会信用代码校验位必须正确且不重复）",
        "Actor",
    ),
    (
        "get",
        "/api/v1/actors/{id}",
        "单个主体及其在各片区的角色",
        "",
    ),
    (
        "put",
        "/api/v1/actors/{id}",
        "编辑主体（需提供 version）",
        "ActorUpdate",
    ),
    (
        "put",
        "/api/v1/zones/{zone}/actors/{actor}",
        "设置主体在片区中的角色",
        "ZoneRole",
    ),
    (
        "delete",
        "/api/v1/zones/{zone}/actors/{actor}",
        "主体退出片区",
        "",
    ),
    (
        "get",
        "/api/v1/zones/{id}/timeline",
        "片区工作链条：规划任务→项目→里程碑，会议→决定事项→待办 / 项目→里程碑→结果",
        "",
    ),
    (
        "get",
        "/api/v1/work/summary",
        "片区工作汇总：项目完成率、分来源计划与实际投资、逾期项目与待办、本年会议次数",
        "",
    ),
    (
        "post",
        "/api/v1/attachments",
        "上传佐证材料（multipart，字段 file；查询参数 owner=plan|milestone|meeting|project 与 id；JPG/PNG/PDF/DOCX/XLSX，10 MB 以内）",
        "multipart",
    ),
    (
        "get",
        "/api/v1/attachments/{id}",
        "下载附件（照片直接显示，文档下载）",
        "",
    ),
    (
        "get",
        "/api/v1/export/projects.xlsx",
        "导出项目清单（筛选参数同 GET /api/v1/projects；含版本列，修改后可原样导入）",
        "",
    ),
    (
        "get",
        "/api/v1/export/milestones.xlsx",
        "导出里程碑（可选 zone 片区）",
        "",
    ),
    (
        "get",
        "/api/v1/export/actions.xlsx",
        "导出待办事项（筛选参数同 GET /api/v1/actions）",
        "",
    ),
    (
        "get",
        "/api/v1/import/projects/template.xlsx",
        "下载项目清单导入模板（含填表说明）",
        "",
    ),
    (
        "get",
        "/api/v1/import/milestones/template.xlsx",
        "下载里程碑导入模板（含填表说明）",
        "",
    ),
    (
        "get",
        "/api/v1/import/actions/template.xlsx",
        "下载待办事项导入模板（含填表说明）",
        "",
    ),
    (
        "post",
        "/api/v1/import/projects",
        "导入项目清单（xlsx 请求体；有编号的行修改该项目，须带导出时的版本，他人已修改则该行报错；mode=dry_run 对照数据库列出所有行的问题，mode=apply 全部无误才在一个事务中全部写入）",
        "xlsx",
    ),
    (
        "post",
        "/api/v1/import/milestones",
        "导入里程碑（xlsx 请求体；规则同项目清单导入）",
        "xlsx",
    ),
    (
        "post",
        "/api/v1/import/actions",
        "导入待办事项（xlsx 请求体；规则同项目清单导入；状态变化须符合流转规则）",
        "xlsx",
    ),
    (
        "get",
        "/api/v1/rubrics/{year}/export.xlsx",
        "导出评分细则 Excel（kind=zone 片区 | team 运营团队；version 版本号，省略为现行版本）：指标、加减分与否决、等级、说明",
        "",
    ),
    (
        "post",
        "/api/v1/rubrics/{year}/import",
        "导入评分细则 Excel（xlsx 请求体，kind=zone|team；仅区管理员）：mode=dry_run 按工作表、行、列列出所有问题，mode=apply 全部无误时新建一个草案版本（返回 version_no），已发布的版本从不被修改",
        "xlsx",
    ),
    (
        "get",
        "/api/v1/elements",
        "共富元素（共富工坊、市集、基地、学堂、驿站、食堂、品牌）：type、zone、village、open=true 筛选",
        "",
    ),
    (
        "post",
        "/api/v1/elements",
        "登记共富元素（区管理员或所在村的镇街）：就业人数、其中低收入农户人数、人均月增收（元）、带动村集体年收入（元）",
        "Element",
    ),
    ("get", "/api/v1/elements/{id}", "单个共富元素", ""),
    (
        "put",
        "/api/v1/elements/{id}",
        "编辑共富元素（需提供 version；填写停办日期即停办）",
        "Element",
    ),
    (
        "get",
        "/api/v1/indicators",
        "片区指标数据源：zone 片区、year 年份（默认今年）。每项给出键、名称、单位、数值（金额为分、学时为十分之一）、计算口径 rule 和来源记录 sources",
        "",
    ),
    (
        "get",
        "/api/v1/export/elements.xlsx",
        "导出共富元素（xlsx；筛选同 GET /api/v1/elements），列与导入模板一致，可修改后重新导入",
        "",
    ),
    (
        "get",
        "/api/v1/import/elements/template.xlsx",
        "下载共富元素导入模板（含填表说明）",
        "",
    ),
    (
        "post",
        "/api/v1/import/elements",
        "导入共富元素（xlsx 请求体；有编号的行修改该元素，须带导出时的版本；mode=dry_run 列出所有行的问题，mode=apply 全部无误才在一个事务中全部写入；区管理员或所在村的镇街）",
        "xlsx",
    ),
    (
        "get",
        "/api/v1/indicators.xlsx",
        "片区指标数据表（xlsx）：year 年份（默认今年）年底存续的每个片区一行，金额以元、学时以小时写入，另附口径说明",
        "",
    ),
    // 人才共创 (issue 7: talent)
    (
        "get",
        "/api/v1/talent/trainings",
        "培训列表：zone 片区编号或 district（全区性）、year 年份；含场次、人次、学时合计",
        "",
    ),
    (
        "post",
        "/api/v1/talent/trainings",
        "登记培训（片区或全区；学时最多一位小数）",
        "Training",
    ),
    ("get", "/api/v1/talent/trainings/{id}", "单次培训", ""),
    (
        "put",
        "/api/v1/talent/trainings/{id}",
        "编辑培训（需提供 version）",
        "Training",
    ),
    (
        "get",
        "/api/v1/talent/entrepreneurs",
        "创业人才列表：zone 片区、kind 类型（农创客 / 新农人 / 返乡青年）；含已批准扶持金额（分）",
        "",
    ),
    (
        "post",
        "/api/v1/talent/entrepreneurs",
        "登记创业人才（所在村须属于片区）",
        "Entrepreneur",
    ),
    (
        "get",
        "/api/v1/talent/entrepreneurs/{id}",
        "单个创业人才：项目、孵化平台、扶持申请及审批、年度考评",
        "",
    ),
    (
        "put",
        "/api/v1/talent/entrepreneurs/{id}",
        "编辑创业人才（需提供 version）",
        "Entrepreneur",
    ),
    (
        "post",
        "/api/v1/talent/entrepreneurs/{id}/supports",
        "申请扶持（租金减免、生活补贴、贷款、担保、以奖代补；金额为元）",
        "Support",
    ),
    (
        "post",
        "/api/v1/talent/supports/{id}/decision",
        "审批扶持申请：批准或驳回（驳回须写理由；申请人不能审批自己的申请；仅区管理员）",
        "SupportDecision",
    ),
    (
        "post",
        "/api/v1/talent/entrepreneurs/{id}/reviews",
        "登记年度考评（优秀 / 良好 / 合格 / 不合格；每年一次；仅区管理员）",
        "Review",
    ),
    (
        "get",
        "/api/v1/talent/trainings.xlsx",
        "导出培训 Excel（筛选同培训列表；含编号和版本，可修改后导入）",
        "",
    ),
    (
        "get",
        "/api/v1/talent/entrepreneurs.xlsx",
        "导出创业人才 Excel（筛选同创业人才列表；含编号和版本）",
        "",
    ),
    (
        "get",
        "/api/v1/talent/import/trainings/template.xlsx",
        "培训导入模板（含填表说明）",
        "",
    ),
    (
        "get",
        "/api/v1/talent/import/entrepreneurs/template.xlsx",
        "创业人才导入模板（含填表说明）",
        "",
    ),
    (
        "post",
        "/api/v1/talent/import/trainings",
        "导入培训：mode=dry_run（默认，只检查，列出每行每列的问题）或 apply（全部写入或全部不写入）",
        "xlsx",
    ),
    (
        "post",
        "/api/v1/talent/import/entrepreneurs",
        "导入创业人才：mode=dry_run 或 apply（全部写入或全部不写入）",
        "xlsx",
    ),
    (
        "get",
        "/api/v1/teams",
        "运营团队列表：业态、合同期（contract_state 履约中 / 即将到期 / 已到期）、服务片区、最近一年绩效；zone 筛选服务过该片区的团队",
        "",
    ),
    (
        "post",
        "/api/v1/teams",
        "登记运营团队（区管理员）：名称、信用代码、联系人、业态（顿号分隔）、合同起止与条款、服务片区及日期",
        "Team",
    ),
    (
        "get",
        "/api/v1/teams/{id}",
        "单个运营团队，含服务片区、最近一年绩效和年度考评记录",
        "",
    ),
    (
        "put",
        "/api/v1/teams/{id}",
        "编辑运营团队（区管理员；需提供 version）",
        "TeamUpdate",
    ),
    (
        "get",
        "/api/v1/teams/{id}/kpis",
        "运营团队的绩效：每个片区每年一条（金额为分），及分年合计",
        "",
    ),
    (
        "put",
        "/api/v1/teams/{id}/kpis/{zone}/{year}",
        "填报某团队某片区某年的绩效（区管理员或片区所在镇街）：首次填报不带 version，修改须带读取时的 version；计入片区指标 team_revenue 等",
        "Kpi",
    ),
    (
        "get",
        "/api/v1/teams/{id}/evaluations",
        "运营团队的年度考评记录（按年份）",
        "",
    ),
    (
        "post",
        "/api/v1/teams/{id}/evaluations",
        "追加年度考评（区管理员）：年度、得分 0–100（最多一位小数）、等次（不填按得分：90 优秀、80 良好、60 合格）、意见、考评人",
        "Evaluation",
    ),
    (
        "get",
        "/api/v1/zones/{id}/operation-plan",
        "片区运营方案（一片一IP）：主题定位、市场分析、产品设计、宣传推广、IP 名称与标识",
        "",
    ),
    (
        "put",
        "/api/v1/zones/{id}/operation-plan",
        "保存片区运营方案（区管理员或片区所在镇街；首次不带 version）；标识为 PNG/JPG，1 MB 以内，base64 传入",
        "OperationPlan",
    ),
    (
        "get",
        "/api/v1/zones/{id}/operation-plan/logo",
        "片区 IP 标识图片",
        "",
    ),
    (
        "get",
        "/api/v1/export/team-kpis.xlsx",
        "导出运营绩效（Excel）：团队、片区、年份、五项绩效和版本；zone 筛选",
        "",
    ),
    (
        "get",
        "/api/v1/import/team-kpis/template.xlsx",
        "运营绩效导入模板（含填表说明）",
        "",
    ),
    (
        "post",
        "/api/v1/import/team-kpis",
        "导入运营绩效（xlsx 请求体；mode=dry_run 只检查并列出每行每列的问题，mode=apply 全部无误时一起写入，否则全部不写入；修改已填年度须保留导出的版本）",
        "xlsx",
    ),
    // 品牌与产业链 (issue 7: brands).
    (
        "get",
        "/api/v1/brands",
        "品牌：区域公用品牌在前，产品品牌含地理标志信息和有效授权数",
        "",
    ),
    ("post", "/api/v1/brands", "登记品牌（区管理员）", "Brand"),
    (
        "get",
        "/api/v1/brands/{id}",
        "单个品牌及其全部授权（有效、未生效、到期、撤销）",
        "",
    ),
    (
        "put",
        "/api/v1/brands/{id}",
        "编辑品牌（区管理员，需提供 version）",
        "Brand",
    ),
    (
        "post",
        "/api/v1/brands/{id}/licences",
        "授权主体使用品牌（区管理员）：主体名录中的主体、授权期限",
        "Licence",
    ),
    (
        "put",
        "/api/v1/brands/{id}/licences/{lid}",
        "编辑或撤销授权（区管理员，需提供 version；填写撤销日期即撤销，记录保留）",
        "Licence",
    ),
    (
        "get",
        "/api/v1/chains",
        "产业链（6+X）：各环节（种养、加工、销售、文旅）的主体和村（含所属片区）及历年产值；zone 筛选有环节村在该片区的链",
        "",
    ),
    (
        "post",
        "/api/v1/chains",
        "登记产业链及其环节（区管理员）",
        "Chain",
    ),
    (
        "get",
        "/api/v1/chains/{id}",
        "单条产业链：环节、主体、村及所属片区、历年产值",
        "",
    ),
    (
        "put",
        "/api/v1/chains/{id}",
        "编辑产业链及全部环节（区管理员，需提供 version）",
        "Chain",
    ),
    (
        "put",
        "/api/v1/chains/{id}/output/{year}",
        "填报产业链某年产值（元；区管理员；version 为该年产值的版本，首次为 0）",
        "ChainOutput",
    ),
    (
        "get",
        "/api/v1/export/brands.xlsx",
        "导出品牌与授权（Excel：品牌、授权两张表）",
        "",
    ),
    (
        "get",
        "/api/v1/export/chain-outputs.xlsx",
        "导出产业链年产值（Excel：产业链、年份、产值（元）、版本），可修改后再导入",
        "",
    ),
    (
        "get",
        "/api/v1/import/chain-outputs/template.xlsx",
        "产业链年产值导入模板（含填表说明）",
        "",
    ),
    (
        "post",
        "/api/v1/import/chain-outputs",
        "导入产业链年产值（xlsx 请求体；mode=dry_run 试导入列出每行每列的问题，mode=apply 全部无误时一并写入，否则不写入；区管理员）",
        "xlsx",
    ),
    // 利益共享 (issue 8: share register and income distribution)
    (
        "get",
        "/api/v1/entities",
        "股权主体列表：强村公司、片区平台公司、股份经济合作社、合作社，含股份类别与股东；zone 按片区筛选",
        "",
    ),
    (
        "post",
        "/api/v1/entities",
        "新建股权主体（含股份类别与首批股东；区管理员）",
        "EquityEntity",
    ),
    (
        "get",
        "/api/v1/entities/{id}",
        "股权主体详情：股份类别、股东、变动申请、分配方案",
        "",
    ),
    (
        "post",
        "/api/v1/entities/{id}/holders",
        "新增股东（需提供主体 version；区管理员）",
        "EquityHolder",
    ),
    (
        "get",
        "/api/v1/entities/{id}/register",
        "股权登记簿：as_of=YYYY-MM-DD 当日有效的登记行与各股东持股（由登记行重放得出）",
        "",
    ),
    (
        "post",
        "/api/v1/entities/{id}/requests",
        "提交股权变动申请：认购、资源入股、转让、退股、转换（区管理员）",
        "EquityRequest",
    ),
    (
        "post",
        "/api/v1/requests/{id}/decision",
        "审批股权变动申请：批准即写入下一条编号登记行（不能审批自己提交的申请）",
        "EquityDecision",
    ),
    (
        "get",
        "/api/v1/distributions",
        "年度收益分配方案列表：year 年度、entity 主体",
        "",
    ),
    (
        "post",
        "/api/v1/distributions",
        "起草年度收益分配方案（按登记簿与分配规则计算到分；corrects 为更正已批准方案；区管理员）",
        "EquityDistribution",
    ),
    (
        "get",
        "/api/v1/distributions/{id}",
        "分配方案详情：净收益、本期留存、各股东分配额（分）、分配步骤、类别池、村集体分配额",
        "",
    ),
    (
        "put",
        "/api/v1/distributions/{id}",
        "修改分配方案草案（需提供 version；已批准的方案已锁定，不能修改）",
        "EquityDistribution",
    ),
    (
        "post",
        "/api/v1/distributions/{id}/status",
        "分配方案流转：草案 → 审核 → 已批准（不能批准自己起草的方案），审核可退回草案",
        "EquityDistributionStatus",
    ),
    (
        "get",
        "/api/v1/distributions/{id}/holders/{holder}",
        "股东分配对账单：该股东各类别持股、各类别分配额、本股东份额及计算公式（文字与数字）、保底、分配额合计（分；等于方案中该股东的分配额，村集体另给村集体分配额）",
        "",
    ),
    (
        "get",
        "/api/v1/distributions/{id}/payouts.xlsx",
        "发放清单（xlsx）：序号、股东、类别、所属村、各类别金额、合计（元，精确到分）、开户行 / 账号（留空由镇街填写）、签字，合计行；说明页列出分配顺序与「本期留存 + 分配合计 = 净收益」核对",
        "",
    ),
    (
        "get",
        "/api/v1/entities/{id}/register.pdf",
        "股东名册（PDF，A4）：as_of=YYYY-MM-DD（默认今天）当日各股东各类别持股、合计与编号登记行",
        "",
    ),
    (
        "get",
        "/api/v1/entities/{id}/holders/{holder}/certificate.pdf",
        "股权证（PDF，A4）：as_of=YYYY-MM-DD（默认今天）该股东各类别持股及占该类别比例，证号由主体与股东编号生成",
        "",
    ),
    (
        "get",
        "/api/v1/scores/{kind}/{year}/{subject}.pdf",
        "评分表（PDF，A4）：kind 为 zone 或 team；总分、等级、各维度与指标得分、计分说明，已审批的取冻结快照",
        "",
    ),
    (
        "get",
        "/api/v1/scores.xlsx",
        "评分排名（xlsx）：查询参数 year、kind=zone|team；名次、总分、等级、否决、状态、较上年、各维度得分与基础分、加分、扣分",
        "",
    ),
    (
        "get",
        "/api/v1/awards/{year}.xlsx",
        "奖补名单（xlsx）：片区奖补、运营团队奖补与计算依据三页，金额为元（精确到分），合计等于实奖合计",
        "",
    ),
    (
        "get",
        "/api/v1/awards/{year}.pdf",
        "奖补名单（PDF，A4）：计算依据（细则版本、模式、上限、预算、缩放比例）、片区与团队名单及合计、经办 / 复核 / 审批签字栏",
        "",
    ),
];

fn schemas() -> Value {
    let s = |t: &str| json!({"type": t});
    let mut v = json!({
        "Error": {"type": "object", "required": ["error"], "properties": {"error": {"type": "object", "required": ["code", "message"], "properties": {
            "code": s("string"), "message": {"type": "string", "description": "中文说明"},
            "details": {"type": "array", "items": {"type": "object", "properties": {"field": s("string"), "code": s("string"), "message": s("string")}}}}}}},
        "ZoneInput": {"type": "object", "required": ["name", "key_village", "villages"], "properties": {
            "name": s("string"), "key_village": {"type": "string", "description": "重点村 12 位代码"},
            "villages": {"type": "array", "items": s("string"), "description": "全部成员村代码（含重点村）"},
            "theme": s("string"), "lead_official": s("string"), "note": s("string"),
            "effective": {"type": "string", "format": "date"},
            "designation": {"$ref": "#/components/schemas/Designation"},
            "version": {"type": "integer", "description": "编辑时必填：读取时的版本号"}}},
        "Designation": {"type": "object", "required": ["tier"], "properties": {
            "year": s("integer"), "tier": {"type": "string", "enum": ["provincial", "municipal", "district_key", "district", "cultivating"]},
            "status": {"type": "string", "enum": ["applied", "recognised", "accepted", "exited"]}}},
        "Dissolve": {"type": "object", "required": ["version"], "properties": {"version": s("integer"), "effective": {"type": "string", "format": "date"}}},
        "MoveVillage": {"type": "object", "properties": {"zone_id": {"type": ["integer", "null"]}, "effective": {"type": "string", "format": "date"}}},
        "VillageStatus": {"type": "object", "required": ["status", "version"], "properties": {"status": {"type": "string", "enum": ["active", "merged", "withdrawn"]}, "from": {"type": "string", "format": "date"}, "merged_into": s("string"), "version": s("integer")}},
        "VillageTags": {"type": "object", "required": ["tags", "version"], "properties": {"tags": {"type": "array", "items": s("string")}, "version": s("integer")}},
        "Target": {"type": "object", "required": ["year", "metric", "value", "version"], "properties": {"year": s("integer"), "metric": s("string"), "value": s("integer"), "note": s("string"), "version": s("integer")}},
        "Settings": {"type": "object", "required": ["weak_income_below_fen", "version"], "properties": {"weak_income_below_fen": s("integer"), "version": s("integer")}},
        "Coverage": {"type": "object", "required": ["total", "covered", "uncovered"], "properties": {
            "total": s("integer"), "covered": s("integer"), "share_bp": s("integer"),
            "uncovered": {"type": "array", "items": {"type": "object", "required": ["code", "name", "town"], "properties": {"code": s("string"), "name": s("string"), "town": s("string")}}}}},
        "PlanRequest": {"type": "object", "properties": {
            "towns": {"type": "array", "items": s("string"), "description": "镇街代码；空为全区"},
            "villages": {"type": "array", "items": s("string"), "description": "只规划这些村（可选）"},
            "mode": {"type": "string", "enum": ["k", "maxp"]}, "k": s("integer"), "floor": s("number"),
            "size": {"type": "string", "enum": ["population", "villages"]}, "min_size": s("number"), "max_size": s("number"),
            "strong_income_wan": {"type": "number", "description": "强村标准（万元），默认 300"},
            "key_villages": {"type": "array", "items": s("string")}, "require_key": s("boolean"), "lock_existing": s("boolean"), "stay_in_town": s("boolean"),
            "weights": {"type": "object", "properties": {"homogeneity": s("number"), "balance": s("number"), "diversity": s("number"), "compactness": s("number")}},
            "attrs": {"type": "array", "items": {"type": "string", "enum": ["operating_income", "disposable_income", "population", "area"]}},
            "seed": s("integer")}},
        "PlanSites": {"type": "object", "required": ["type"], "properties": {
            "type": {"type": "string", "description": "设施类型，如 clinic、elderly_care"},
            "radius_m": s("number"), "minutes": s("number"), "speed_kmh": s("number"), "detour": s("number"),
            "zone": s("integer"), "p": s("integer"),
            "model": {"type": "string", "enum": ["mclp", "pmedian", "lscp", "pcenter"]},
            "include_planned": s("boolean"),
            "candidates": {"type": "array", "items": s("string"), "description": "可选址的村（代码）；不填为范围内所有村"},
            "capacity_people": {"type": "integer", "description": "可选：每处新设施最多服务人数（仅 mclp、pmedian）"},
            "people_per_unit": {"type": "number", "description": "有容量时：现有设施每单位登记容量（床位、座位…）服务人数，默认 1；未登记容量的现有设施不限"}}},
        "SaveScenario": {"type": "object", "required": ["name", "run_id"], "properties": {"name": s("string"), "run_id": s("integer")}},
        "VersionOnly": {"type": "object", "required": ["version"], "properties": {"version": s("integer")}},
        "Facility": {"type": "object", "required": ["type", "name", "village_code", "upkeep_unit"], "properties": {
            "type": {"type": "string", "enum": ["clinic", "elderly_care", "childcare", "school", "culture", "service_centre", "farmers_market", "agri_service", "processing", "cold_chain"], "description": "也可用中文类型名，如 文化礼堂"},
            "name": s("string"), "village_code": {"type": "string", "description": "所在村 12 位代码"},
            "lon": {"type": ["number", "null"], "description": "WGS84 经度；与 lat 同时给出，或都不给（取所在村位置）"},
            "lat": {"type": ["number", "null"]},
            "capacity": {"type": ["integer", "null"], "minimum": 0},
            "status": {"type": "string", "enum": ["planned", "building", "open", "closed"], "description": "默认 planned（规划）"},
            "opening_year": {"type": ["integer", "null"]},
            "upkeep_unit": {"type": "string", "description": "管护责任单位，必填"}, "note": s("string")}},
        "FacilityUpdate": {"allOf": [{"$ref": "#/components/schemas/Facility"}, {"type": "object", "required": ["version"], "properties": {"version": s("integer")}}]},
        "FacilityStatus": {"type": "object", "required": ["status", "version"], "properties": {"status": {"type": "string", "enum": ["planned", "building", "open", "closed"]}, "version": s("integer")}},
        "Infra": {"type": "object", "required": ["status", "version"], "properties": {
            "status": {"type": "string", "enum": ["compliant", "non_compliant", "not_applicable"]},
            "gap": {"type": "string", "description": "差距说明；未达标时必填"}, "version": s("integer")}},
        "ImportReport": {"type": "object", "properties": {"ok": s("boolean"), "applied": s("boolean"), "rows": s("integer"),
            "errors": {"type": "array", "items": {"type": "object", "properties": {"row": s("integer"), "column": s("string"), "value": s("string"), "reason": s("string")}}}}},
    });
    if let (Some(all), Some(work)) = (v.as_object_mut(), work_schemas().as_object()) {
        all.extend(work.clone());
    }
    if let (Some(all), Some(brands)) = (v.as_object_mut(), crate::brands_api::schemas().as_object())
    {
        all.extend(brands.clone());
    }
    if let (Some(all), Some(teams)) = (v.as_object_mut(), teams_schemas().as_object()) {
        all.extend(teams.clone());
    }
    if let (Some(all), Some(talent)) = (v.as_object_mut(), crate::talent_api::schemas().as_object())
    {
        all.extend(talent.clone());
    }
    if let (Some(all), Some(equity)) = (v.as_object_mut(), crate::equity_api::schemas().as_object())
    {
        all.extend(equity.clone());
    }
    if let (Some(all), Some(scoring)) =
        (v.as_object_mut(), crate::scoring_api::schemas().as_object())
    {
        all.extend(scoring.clone());
    }
    v
}

/// The bodies of the operating-teams API (issue 7).
fn teams_schemas() -> Value {
    let s = |t: &str| json!({"type": t});
    json!({
        "Team": {"type": "object", "required": ["name", "business_types", "contract_start", "contract_end"], "properties": {
            "name": s("string"), "credit_code": {"type": "string", "description": "18 位统一社会信用代码（可空）"}, "actor": {"type": ["integer", "null"], "description": "主体名录中的主体编号（可空）"},
            "contact_person": s("string"), "phone": s("string"),
            "business_types": {"type": "string", "description": "业态，顿号分隔：文旅融合、农业规模化、加工业、电商、其他"},
            "contract_start": {"type": "string", "format": "date"}, "contract_end": {"type": "string", "format": "date"}, "terms": s("string"),
            "zones": {"type": "array", "items": {"type": "object", "required": ["zone"], "properties": {"zone": s("integer"),
                "from": {"type": "string", "format": "date", "description": "不填为合同开始日期"}, "until": {"type": "string", "format": "date", "description": "不填为持续服务"}}}}}},
        "TeamUpdate": {"allOf": [{"$ref": "#/components/schemas/Team"}, {"type": "object", "required": ["version"], "properties": {"version": s("integer")}}]},
        "Kpi": {"type": "object", "properties": {
            "revenue": {"type": "string", "description": "运营收入（元）"}, "visitors": {"type": "string", "description": "接待游客人次"},
            "events": {"type": "string", "description": "举办活动场次"}, "jobs": {"type": "string", "description": "带动就业人数"},
            "collective_income": {"type": "string", "description": "带动村集体增收（元）"},
            "version": {"type": "integer", "description": "修改时必填：读取时的版本号；首次填报不填或 0"}}},
        "Evaluation": {"type": "object", "required": ["year", "score", "reviewer"], "properties": {
            "year": s("string"), "score": {"type": "string", "description": "0–100，最多一位小数"},
            "grade": {"type": "string", "enum": ["excellent", "good", "pass", "fail", "优秀", "良好", "合格", "不合格", ""]},
            "comment": s("string"), "reviewer": s("string")}},
        "OperationPlan": {"type": "object", "properties": {
            "theme": s("string"), "market_analysis": s("string"), "product_design": s("string"), "promotion": s("string"),
            "ip_name": {"type": "string", "description": "片区 IP 名称，40 字以内"},
            "logo_name": s("string"), "logo_base64": {"type": "string", "description": "新标识：PNG 或 JPG，1 MB 以内，base64"},
            "remove_logo": s("boolean"), "version": {"type": "integer", "description": "修改时必填；首次不填或 0"}}},
    })
}

/// The bodies of the zone-work API (issue 6).
fn work_schemas() -> Value {
    let s = |t: &str| json!({"type": t});
    json!({
        "PlanDraft": {"type": "object", "required": ["version"], "properties": {
            "positioning": {"type": "string", "description": "功能定位"}, "spatial_structure": {"type": "string", "description": "空间结构"},
            "industry_layout": {"type": "string", "description": "产业布局"}, "land_use": {"type": "string", "description": "用地规模（亩，最多两位小数）"},
            "reserved_quota": {"type": "string", "description": "预留指标（亩），不超过用地规模"}, "reserve_note": {"type": "string", "description": "留白说明"},
            "tasks": {"type": "string", "description": "建设任务，每行一项"}, "operation_model": {"type": "string", "description": "联动发展模式"},
            "version": s("integer")}},
        "PlanStep": {"type": "object", "required": ["step", "version"], "properties": {"step": {"type": "string", "enum": ["submit", "return", "approve"]}, "version": s("integer")}},
        "Project": {"type": "object", "required": ["name", "mechanism", "kind", "lead_unit"], "properties": {
            "name": s("string"), "mechanism": {"type": "string", "enum": ["planning", "party_building", "alliance", "joint_operation", "industry_chain", "facilities", "talent", "benefit_sharing"], "description": "也可用中文，如 产业共链"},
            "kind": {"type": "string", "enum": ["infrastructure", "industry", "public_service", "ecology", "culture_tourism", "digital", "other"]},
            "lead_unit": s("string"), "villages": {"type": "string", "description": "涉及村代码，顿号或逗号分隔"},
            "planned_fiscal": {"type": "string", "description": "计划投资-财政资金（元，最多两位小数）"}, "planned_collective": s("string"), "planned_social": s("string"),
            "actual_fiscal": s("string"), "actual_collective": s("string"), "actual_social": s("string"),
            "start": {"type": "string", "format": "date"}, "end": {"type": "string", "format": "date"},
            "progress": {"type": "string", "description": "无子项时填报的进度 0–100"}, "note": s("string")}},
        "NewProject": {"allOf": [{"$ref": "#/components/schemas/Project"}, {"type": "object", "required": ["zone"], "properties": {
            "zone": s("integer"), "status": {"type": "string", "enum": ["conceived", "approved", "building", "completed", "operating", "accepted"]},
            "origin": {"type": "object", "properties": {"kind": {"type": "string", "enum": ["plan_task", "decision"]}, "id": s("integer")}}}}]},
        "ProjectUpdate": {"allOf": [{"$ref": "#/components/schemas/Project"}, {"type": "object", "required": ["version"], "properties": {"version": s("integer")}}]},
        "Status": {"type": "object", "required": ["status", "version"], "properties": {"status": s("string"), "result": {"type": "string", "description": "待办办结 / 取消时必填"}, "version": s("integer")}},
        "Items": {"type": "object", "required": ["items", "version"], "properties": {"items": {"type": "array", "items": {"type": "object", "required": ["name", "weight", "progress"], "properties": {
            "name": s("string"), "weight": {"type": "integer", "minimum": 1, "maximum": 1000}, "progress": {"type": "integer", "minimum": 0, "maximum": 100}}}}, "version": s("integer")}},
        "Milestone": {"type": "object", "required": ["name", "due"], "properties": {"name": s("string"), "due": {"type": "string", "format": "date"}, "done_on": {"type": "string", "format": "date"}, "note": s("string")}},
        "MilestoneUpdate": {"allOf": [{"$ref": "#/components/schemas/Milestone"}, {"type": "object", "required": ["version"], "properties": {"version": s("integer")}}]},
        "Member": {"type": "object", "required": ["unit", "role"], "properties": {"person": s("string"), "unit": s("string"),
            "role": {"type": "string", "enum": ["lead", "department", "village", "association", "enterprise", "other"]}, "title": s("string")}},
        "Meeting": {"type": "object", "required": ["held_on", "title", "attendees"], "properties": {"held_on": {"type": "string", "format": "date"}, "title": s("string"), "location": s("string"),
            "attendees": {"type": "string", "description": "参会人员，每行一人"}, "agenda": s("string"), "minutes": s("string"), "decisions": {"type": "string", "description": "决定事项，每行一条"}}},
        "NewMeeting": {"allOf": [{"$ref": "#/components/schemas/Meeting"}, {"type": "object", "required": ["zone"], "properties": {"zone": s("integer")}}]},
        "MeetingUpdate": {"allOf": [{"$ref": "#/components/schemas/Meeting"}, {"type": "object", "required": ["version"], "properties": {"version": s("integer")}}]},
        "Action": {"type": "object", "required": ["title", "owner_unit", "due"], "properties": {"title": s("string"), "owner_unit": s("string"), "due": {"type": "string", "format": "date"}, "owner_user": {"type": ["integer", "null"]}}},
        "NewAction": {"allOf": [{"$ref": "#/components/schemas/Action"}, {"type": "object", "required": ["zone"], "properties": {"zone": s("integer"), "decision": {"type": ["integer", "null"]}}}]},
        "ActionUpdate": {"allOf": [{"$ref": "#/components/schemas/Action"}, {"type": "object", "required": ["version"], "properties": {"version": s("integer")}}]},
        "Actor": {"type": "object", "required": ["name", "kind", "credit_code"], "properties": {"name": s("string"),
            "kind": {"type": "string", "enum": ["enterprise", "cooperative", "association", "social_org", "financial", "state_company", "collective"]},
            "credit_code": {"type": "string", "description": "18 位统一社会信用代码，校验位须正确"}, "contact_person": s("string"), "phone": s("string"), "address": s("string"), "note": s("string")}},
        "ActorUpdate": {"allOf": [{"$ref": "#/components/schemas/Actor"}, {"type": "object", "required": ["version"], "properties": {"version": s("integer")}}]},
        "Element": {"type": "object", "required": ["type", "name", "village_code", "opened_on"], "properties": {
            "type": {"type": "string", "enum": ["workshop", "market", "base", "school", "station", "canteen", "brand"], "description": "也可用中文，如 共富工坊"},
            "name": s("string"), "village_code": s("string"), "lon": {"type": ["number", "null"]}, "lat": {"type": ["number", "null"]},
            "opened_on": {"type": "string", "format": "date"}, "closed_on": {"type": "string", "format": "date"},
            "jobs": s("string"), "low_income_jobs": s("string"), "monthly_gain": {"type": "string", "description": "人均月增收（元）"},
            "collective_income": {"type": "string", "description": "带动村集体年收入（元）"}, "operator": s("string"), "note": s("string"),
            "version": {"type": "integer", "description": "编辑时必填"}}},
        "ZoneRole": {"type": "object", "required": ["role"], "properties": {"role": {"type": "string", "description": "如 运营主体、产业龙头、金融支持"}}},
    })
}

pub fn build() -> Value {
    let mut paths = serde_json::Map::new();
    for (method, path, summary, body) in OPERATIONS {
        let mut op = json!({
            "summary": summary,
            "responses": {
                "200": {"description": "成功"},
                "default": {"description": "错误", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
            },
        });
        let params: Vec<Value> = path
            .split('/')
            .filter_map(|seg| seg.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
            .map(|name| json!({"name": name, "in": "path", "required": true, "schema": {"type": "string"}}))
            .collect();
        if !params.is_empty() {
            op["parameters"] = json!(params);
        }
        match *body {
            "" => {}
            "xlsx" => {
                op["requestBody"] = json!({"required": true, "content": {"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {"schema": {"type": "string", "format": "binary"}}}});
                op["responses"]["200"] = json!({"description": "检查 / 导入结果", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ImportReport"}}}});
            }
            "multipart" => {
                op["requestBody"] = json!({"required": true, "content": {"multipart/form-data": {"schema": {"type": "object", "properties": {"file": {"type": "string", "format": "binary"}}}}}});
            }
            "geojson" => {
                op["requestBody"] = json!({"required": true, "content": {"application/geo+json": {"schema": {"type": "object"}}}});
                op["responses"]["200"] = json!({"description": "检查 / 导入结果", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ImportReport"}}}});
            }
            name => {
                op["requestBody"] = json!({"required": true, "content": {"application/json": {"schema": {"$ref": format!("#/components/schemas/{name}")}}}});
            }
        }
        if path.ends_with(".pdf") {
            op["responses"]["200"] = json!({"description": "PDF 文件（A4）", "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}}});
        }
        if *path == "/api/v1/coverage" {
            op["responses"]["200"] = json!({"description": "覆盖情况", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Coverage"}}}});
        }
        let entry = paths.entry(path.to_string()).or_insert_with(|| json!({}));
        entry[*method] = op;
    }
    json!({
        "openapi": "3.1.0",
        "info": {"title": "共富片区管理平台 API", "version": env!("CARGO_PKG_VERSION"),
                 "description": "柯桥区乡村共富联合体 / 共富片区：区划名录、片区、覆盖、目标、一张图、Excel 与 GeoJSON 导入导出。金额一律为整数“分”。"},
        "paths": paths,
        "components": {"schemas": schemas()},
    })
}

pub async fn document() -> Json<Value> {
    Json(build())
}
