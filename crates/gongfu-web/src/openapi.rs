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
];

fn schemas() -> Value {
    let s = |t: &str| json!({"type": t});
    json!({
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
            "candidates": {"type": "array", "items": s("string"), "description": "可选址的村（代码）；不填为范围内所有村"}}},
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
            "geojson" => {
                op["requestBody"] = json!({"required": true, "content": {"application/geo+json": {"schema": {"type": "object"}}}});
                op["responses"]["200"] = json!({"description": "检查 / 导入结果", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ImportReport"}}}});
            }
            name => {
                op["requestBody"] = json!({"required": true, "content": {"application/json": {"schema": {"$ref": format!("#/components/schemas/{name}")}}}});
            }
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
