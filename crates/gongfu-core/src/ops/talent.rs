//! Talent (人才共创): training sessions for village secretaries and committees, entrepreneurs
//! (农创客, 新农人, 返乡青年) with their projects and the support granted them (rent relief,
//! living subsidies, loans and guarantees, in fen, with periods and approvals).

pub use super::Grade;
use super::{parse_count, parse_money, parse_reviewer, past_date, required_date};
use crate::text::bounded_text;
use crate::work::parse_choice;
use crate::{DomainError, Fen, VillageCode};
use serde::{Deserialize, Serialize};
use time::Date;

pub const TEXT_MAX: usize = 200;

/// A training session (培训). `zone` is `None` for a district-wide session.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Training {
    pub id: i64,
    pub zone: Option<i64>,
    pub topic: String,
    pub held_on: Date,
    /// 参训人数
    pub attendees: i64,
    /// 学时, in tenths of an hour (3.5 h = 35).
    pub hours_tenths: i64,
    /// 培训对象 (村书记, 村两委 …)
    pub audience: String,
    pub version: i64,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct TrainingDraft {
    /// 片区编号; empty for a district-wide (全区) session.
    #[serde(default, deserialize_with = "loose")]
    pub zone: String,
    #[serde(default)]
    pub topic: String,
    #[serde(default)]
    pub held_on: String,
    #[serde(default, deserialize_with = "loose")]
    pub attendees: String,
    /// Hours, at most one decimal (`3.5`).
    #[serde(default, deserialize_with = "loose")]
    pub hours: String,
    #[serde(default)]
    pub audience: String,
}

/// A field typed as text in forms and Excel but often sent as a number (or null) in JSON:
/// all become the text a person would have typed.
pub fn loose<'de, D: serde::Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Loose {
        Text(String),
        Int(i64),
        Num(f64),
        Null(()),
    }
    Ok(match Loose::deserialize(d)? {
        Loose::Text(s) => s,
        Loose::Int(i) => i.to_string(),
        Loose::Num(f) => f.to_string(),
        Loose::Null(_) => String::new(),
    })
}

/// A zone number typed by a person: empty is none.
pub fn parse_zone_ref(s: &str, field: &str) -> Result<Option<i64>, DomainError> {
    let t = s.trim();
    if t.is_empty() {
        return Ok(None);
    }
    match t.parse::<i64>() {
        Ok(z) if z > 0 => Ok(Some(z)),
        _ => Err(DomainError::new(
            "invalid_zone",
            field,
            format!("片区编号「{t}」无效：应为正整数"),
        )),
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrainingSpec {
    /// `None`: district-wide (全区).
    pub zone: Option<i64>,
    pub topic: String,
    pub held_on: Date,
    pub attendees: i64,
    pub hours_tenths: i64,
    pub audience: String,
}

/// Hours with at most one decimal, as tenths: `3.5` → 35; from 0.5 to 200 hours.
pub fn parse_hours(s: &str) -> Result<i64, DomainError> {
    let err = || {
        DomainError::new(
            "invalid_hours",
            "hours",
            format!(
                "学时「{}」无效：应为 0.5 到 200 之间、最多一位小数的数",
                s.trim()
            ),
        )
    };
    let t = s.trim();
    let (w, f) = t.split_once('.').unwrap_or((t, ""));
    if w.is_empty()
        || !w.bytes().all(|b| b.is_ascii_digit())
        || f.len() > 1
        || !f.bytes().all(|b| b.is_ascii_digit())
    {
        return Err(err());
    }
    let tenths = w.parse::<i64>().map_err(|_| err())? * 10 + f.parse::<i64>().unwrap_or(0);
    if (5..=2_000).contains(&tenths) {
        Ok(tenths)
    } else {
        Err(err())
    }
}

impl TrainingDraft {
    pub fn parse(&self, today: Date) -> Result<TrainingSpec, Vec<DomainError>> {
        let mut errors = Vec::new();
        let zone = parse_zone_ref(&self.zone, "zone")
            .map_err(|e| errors.push(e))
            .ok();
        let topic = bounded_text(
            &self.topic,
            "topic",
            "培训主题",
            TEXT_MAX,
            Some("请填写培训主题"),
        )
        .map_err(|e| errors.push(e))
        .ok();
        let held_on = past_date(
            "held_on",
            &self.held_on,
            "培训日期",
            "培训日期不能晚于今天：登记的是已经举办的培训",
            today,
        )
        .map_err(|e| errors.push(e))
        .ok();
        let attendees = match parse_count(&self.attendees, "attendees", "参训人数", 100_000) {
            Ok(0) => {
                errors.push(DomainError::new("required", "attendees", "请填写参训人数"));
                None
            }
            Ok(n) => Some(n),
            Err(e) => {
                errors.push(e);
                None
            }
        };
        let hours = parse_hours(&self.hours).map_err(|e| errors.push(e)).ok();
        let audience = bounded_text(&self.audience, "audience", "培训对象", 60, None)
            .map_err(|e| errors.push(e))
            .ok();
        match (zone, topic, held_on, attendees, hours, audience) {
            (
                Some(zone),
                Some(topic),
                Some(held_on),
                Some(attendees),
                Some(hours_tenths),
                Some(audience),
            ) if errors.is_empty() => Ok(TrainingSpec {
                zone,
                topic,
                held_on,
                attendees,
                hours_tenths,
                audience,
            }),
            _ => Err(errors),
        }
    }
}

/// 创业人才类型.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EntrepreneurKind {
    /// 农创客
    AgriMaker,
    /// 新农人
    NewFarmer,
    /// 返乡青年
    ReturningYouth,
}

impl EntrepreneurKind {
    pub const ALL: [EntrepreneurKind; 3] = [
        EntrepreneurKind::AgriMaker,
        EntrepreneurKind::NewFarmer,
        EntrepreneurKind::ReturningYouth,
    ];
    pub fn key(self) -> &'static str {
        match self {
            EntrepreneurKind::AgriMaker => "agri_maker",
            EntrepreneurKind::NewFarmer => "new_farmer",
            EntrepreneurKind::ReturningYouth => "returning_youth",
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            EntrepreneurKind::AgriMaker => "农创客",
            EntrepreneurKind::NewFarmer => "新农人",
            EntrepreneurKind::ReturningYouth => "返乡青年",
        }
    }
    pub fn parse(s: &str) -> Result<EntrepreneurKind, DomainError> {
        parse_choice(s, &Self::ALL, Self::key, Self::label).ok_or_else(|| {
            DomainError::new(
                "invalid_kind",
                "kind",
                format!(
                    "人才类型「{}」无效：应为农创客、新农人、返乡青年之一",
                    s.trim()
                ),
            )
        })
    }
}

/// 扶持方式.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SupportKind {
    /// 租金减免
    RentRelief,
    /// 生活补贴
    LivingSubsidy,
    /// 贷款
    Loan,
    /// 担保
    Guarantee,
    /// 以奖代补
    Award,
}

impl SupportKind {
    pub const ALL: [SupportKind; 5] = [
        SupportKind::RentRelief,
        SupportKind::LivingSubsidy,
        SupportKind::Loan,
        SupportKind::Guarantee,
        SupportKind::Award,
    ];
    pub fn key(self) -> &'static str {
        match self {
            SupportKind::RentRelief => "rent_relief",
            SupportKind::LivingSubsidy => "living_subsidy",
            SupportKind::Loan => "loan",
            SupportKind::Guarantee => "guarantee",
            SupportKind::Award => "award",
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            SupportKind::RentRelief => "租金减免",
            SupportKind::LivingSubsidy => "生活补贴",
            SupportKind::Loan => "贷款",
            SupportKind::Guarantee => "担保",
            SupportKind::Award => "以奖代补",
        }
    }
    pub fn parse(s: &str) -> Result<SupportKind, DomainError> {
        parse_choice(s, &Self::ALL, Self::key, Self::label).ok_or_else(|| {
            DomainError::new(
                "invalid_kind",
                "kind",
                format!(
                    "扶持方式「{}」无效：应为{}之一",
                    s.trim(),
                    Self::ALL.map(Self::label).join("、")
                ),
            )
        })
    }
    /// Money the district pays out (a loan or a guarantee is credit, not a grant).
    pub fn is_grant(self) -> bool {
        matches!(
            self,
            SupportKind::RentRelief | SupportKind::LivingSubsidy | SupportKind::Award
        )
    }
}

/// One grant of support to an entrepreneur, over a period, once approved.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Support {
    pub id: i64,
    pub entrepreneur: i64,
    pub kind: SupportKind,
    pub amount: Fen,
    pub from: Date,
    pub to: Date,
    /// Who approved it, and when; `None` while only applied for.
    pub approved_by: Option<String>,
    pub approved_on: Option<Date>,
    pub version: i64,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct SupportDraft {
    #[serde(default)]
    pub kind: String,
    /// In yuan.
    #[serde(default, deserialize_with = "loose")]
    pub amount: String,
    #[serde(default)]
    pub from: String,
    #[serde(default)]
    pub to: String,
    /// For 以奖代补 only: the id of the yearly review it rewards.
    #[serde(default, deserialize_with = "loose")]
    pub review: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SupportSpec {
    pub kind: SupportKind,
    pub amount: Fen,
    pub from: Date,
    pub to: Date,
    /// The review an 以奖代补 award rests on (see [`check_award_basis`]).
    pub review: Option<i64>,
}

impl SupportDraft {
    pub fn parse(&self) -> Result<SupportSpec, Vec<DomainError>> {
        let mut errors = Vec::new();
        let kind = SupportKind::parse(&self.kind)
            .map_err(|e| errors.push(e))
            .ok();
        let amount = match parse_money(&self.amount, "amount", "扶持金额") {
            Ok(Fen(0)) => {
                errors.push(DomainError::new(
                    "required",
                    "amount",
                    "请填写扶持金额（元）",
                ));
                None
            }
            Ok(f) => Some(f),
            Err(e) => {
                errors.push(e);
                None
            }
        };
        let from = required_date("from", &self.from, "扶持开始日期")
            .map_err(|e| errors.push(e))
            .ok();
        let to = required_date("to", &self.to, "扶持结束日期")
            .map_err(|e| errors.push(e))
            .ok();
        if let (Some(f), Some(t)) = (from, to)
            && t < f
        {
            errors.push(DomainError::new(
                "end_before_start",
                "to",
                "扶持结束日期不能早于开始日期",
            ));
        }
        let review = match self.review.trim() {
            "" => None,
            t => match t.parse::<i64>() {
                Ok(id) if id > 0 => Some(id),
                _ => {
                    errors.push(DomainError::new(
                        "invalid_review",
                        "review",
                        format!("年度考评编号「{t}」无效"),
                    ));
                    None
                }
            },
        };
        match (kind, review) {
            (Some(SupportKind::Award), None) if !errors.iter().any(|e| e.field == "review") => {
                errors.push(DomainError::new(
                    "review_required",
                    "review",
                    "以奖代补须选择所依据的年度考评（优秀或良好）",
                ))
            }
            (Some(k), Some(_)) if k != SupportKind::Award => errors.push(DomainError::new(
                "review_not_award",
                "review",
                format!("{}不关联年度考评：只有以奖代补依据考评结果", k.label()),
            )),
            _ => {}
        }
        match (kind, amount, from, to) {
            (Some(kind), Some(amount), Some(from), Some(to)) if errors.is_empty() => {
                Ok(SupportSpec {
                    kind,
                    amount,
                    from,
                    to,
                    review,
                })
            }
            _ => Err(errors),
        }
    }
}

/// An entrepreneur (创业人才) and their project.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entrepreneur {
    pub id: i64,
    pub zone: i64,
    pub name: String,
    pub kind: EntrepreneurKind,
    pub project: String,
    /// 孵化基地 / 青年入乡实践站 used.
    pub incubator: String,
    pub since: Date,
    pub version: i64,
}

/// Where an application for support stands (申请 → 批准 / 驳回). Both decisions are final:
/// approved support is fixed (it feeds the indicator figures), a refused one stays on file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SupportStatus {
    /// 申请中
    Applied,
    /// 已批准
    Approved,
    /// 已驳回
    Refused,
}

impl SupportStatus {
    pub const ALL: [SupportStatus; 3] = [
        SupportStatus::Applied,
        SupportStatus::Approved,
        SupportStatus::Refused,
    ];
    pub fn key(self) -> &'static str {
        match self {
            SupportStatus::Applied => "applied",
            SupportStatus::Approved => "approved",
            SupportStatus::Refused => "refused",
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            SupportStatus::Applied => "申请中",
            SupportStatus::Approved => "已批准",
            SupportStatus::Refused => "已驳回",
        }
    }
    pub fn parse(s: &str) -> Option<SupportStatus> {
        parse_choice(s, &Self::ALL, Self::key, Self::label)
    }
}

/// A support on file: the grant itself (its `approved_by` / `approved_on` are set only once
/// approved, which is what the indicator figures read), who applied and when, and the decision.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SupportRecord {
    pub support: Support,
    pub status: SupportStatus,
    /// The account that applied (its actor name, `显示名（用户名）`).
    pub applied_by: String,
    pub applied_on: Date,
    /// Who approved or refused it, and when.
    pub decided_by: Option<String>,
    pub decided_on: Option<Date>,
    /// 批准意见 / 驳回理由.
    pub reason: String,
    /// The review an 以奖代补 award rests on.
    pub review: Option<i64>,
}

impl SupportRecord {
    /// A fresh application.
    pub fn applied(spec: &SupportSpec, entrepreneur: i64, by: &str, on: Date) -> SupportRecord {
        SupportRecord {
            support: Support {
                id: 0,
                entrepreneur,
                kind: spec.kind,
                amount: spec.amount,
                from: spec.from,
                to: spec.to,
                approved_by: None,
                approved_on: None,
                version: 1,
            },
            status: SupportStatus::Applied,
            applied_by: by.to_string(),
            applied_on: on,
            decided_by: None,
            decided_on: None,
            reason: String::new(),
            review: spec.review,
        }
    }
}

/// 批准 or 驳回.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Approve,
    Refuse,
}

/// A decision as typed: `verdict` is `approve` / `refuse` (or 批准 / 驳回).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct DecisionDraft {
    #[serde(default)]
    pub verdict: String,
    #[serde(default)]
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    pub verdict: Verdict,
    pub reason: String,
}

impl DecisionDraft {
    /// A refusal must say why; an approval may carry a remark.
    pub fn parse(&self) -> Result<Decision, Vec<DomainError>> {
        let mut errors = Vec::new();
        let verdict = match self.verdict.trim() {
            "approve" | "批准" => Some(Verdict::Approve),
            "refuse" | "驳回" => Some(Verdict::Refuse),
            t => {
                errors.push(DomainError::new(
                    "invalid_verdict",
                    "verdict",
                    format!("审批结果「{t}」无效：应为批准（approve）或驳回（refuse）"),
                ));
                None
            }
        };
        let missing = (verdict == Some(Verdict::Refuse)).then_some("驳回须写明理由");
        let reason = bounded_text(&self.reason, "reason", "审批意见", TEXT_MAX, missing)
            .map_err(|e| errors.push(e))
            .ok();
        match (verdict, reason) {
            (Some(verdict), Some(reason)) if errors.is_empty() => Ok(Decision { verdict, reason }),
            _ => Err(errors),
        }
    }
}

/// Decides an application (申请 → 批准 / 驳回): only a pending one, never by the account that
/// applied for it (four eyes), not before the day it was applied for. Returns the record as
/// decided; an approval sets the grant's `approved_by` / `approved_on`.
pub fn decide(
    record: &SupportRecord,
    decision: &Decision,
    by: &str,
    on: Date,
) -> Result<SupportRecord, DomainError> {
    match record.status {
        SupportStatus::Applied => {}
        SupportStatus::Approved => {
            return Err(DomainError::new(
                "already_decided",
                "verdict",
                "该扶持已批准：批准后金额和期限固定，不能再改",
            ));
        }
        SupportStatus::Refused => {
            return Err(DomainError::new(
                "already_decided",
                "verdict",
                "该扶持申请已驳回：如需重新申请，请另行提交",
            ));
        }
    }
    if record.applied_by == by {
        return Err(DomainError::new(
            "self_approval",
            "verdict",
            "不能审批自己提交的扶持申请：请由另一位区管理员审批",
        ));
    }
    if on < record.applied_on {
        return Err(DomainError::new(
            "before_application",
            "verdict",
            "审批日期不能早于申请日期",
        ));
    }
    let mut r = record.clone();
    r.decided_by = Some(by.to_string());
    r.decided_on = Some(on);
    r.reason = decision.reason.clone();
    match decision.verdict {
        Verdict::Approve => {
            r.status = SupportStatus::Approved;
            r.support.approved_by = Some(by.to_string());
            r.support.approved_on = Some(on);
        }
        Verdict::Refuse => {
            r.status = SupportStatus::Refused;
            r.support.approved_by = None;
            r.support.approved_on = None;
        }
    }
    Ok(r)
}

/// A yearly performance review (年度考评) of an entrepreneur.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Review {
    pub id: i64,
    pub entrepreneur: i64,
    pub year: i32,
    pub grade: Grade,
    pub comment: String,
    /// 考评人 / 考评单位.
    pub reviewer: String,
    pub version: i64,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct ReviewDraft {
    #[serde(default, deserialize_with = "loose")]
    pub year: String,
    #[serde(default)]
    pub grade: String,
    #[serde(default)]
    pub comment: String,
    #[serde(default)]
    pub reviewer: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReviewSpec {
    pub year: i32,
    pub grade: Grade,
    pub comment: String,
    pub reviewer: String,
}

impl ReviewDraft {
    /// A review is of a year already begun (a year is reviewed as it ends or after).
    pub fn parse(&self, today: Date) -> Result<ReviewSpec, Vec<DomainError>> {
        let mut errors = Vec::new();
        let year = match crate::DataYear::parse(&self.year) {
            Ok(y) if y.get() > today.year() => {
                errors.push(DomainError::new(
                    "in_future",
                    "year",
                    format!("考评年度 {} 还未到", y.get()),
                ));
                None
            }
            Ok(y) => Some(y.get()),
            Err(mut e) => {
                e.message = format!("考评年度「{}」无效：应为四位年份", self.year.trim());
                errors.push(e);
                None
            }
        };
        let grade = Grade::parse_saying(&self.grade, "应为优秀、良好、合格、不合格之一")
            .map_err(|e| errors.push(e))
            .ok();
        let comment = bounded_text(&self.comment, "comment", "考评意见", 500, None)
            .map_err(|e| errors.push(e))
            .ok();
        let reviewer = parse_reviewer(&self.reviewer)
            .map_err(|e| errors.push(e))
            .ok();
        match (year, grade, comment, reviewer) {
            (Some(year), Some(grade), Some(comment), Some(reviewer)) if errors.is_empty() => {
                Ok(ReviewSpec {
                    year,
                    grade,
                    comment,
                    reviewer,
                })
            }
            _ => Err(errors),
        }
    }
}

/// 以奖代补: an award rests on a review of the same entrepreneur graded 优秀 or 良好, and a
/// review earns at most one award (a refused one does not count). Other kinds of support rest
/// on no review.
pub fn check_award_basis(
    spec: &SupportSpec,
    entrepreneur: i64,
    review: Option<&Review>,
    existing: &[SupportRecord],
) -> Result<(), DomainError> {
    let err = |code, m: String| Err(DomainError::new(code, "review", m));
    match (spec.kind, review) {
        (SupportKind::Award, None) => err(
            "review_required",
            "以奖代补须选择所依据的年度考评（优秀或良好）".into(),
        ),
        (SupportKind::Award, Some(r)) if r.entrepreneur != entrepreneur => {
            err("review_of_other", "所选年度考评不是该创业人才的考评".into())
        }
        (SupportKind::Award, Some(r)) if !r.grade.earns_award() => err(
            "grade_too_low",
            format!(
                "{} 年度考评为「{}」：以奖代补只奖给考评优秀或良好的创业人才",
                r.year,
                r.grade.label()
            ),
        ),
        (SupportKind::Award, Some(r))
            if existing
                .iter()
                .any(|s| s.review == Some(r.id) && s.status != SupportStatus::Refused) =>
        {
            err(
                "already_awarded",
                format!("{} 年度考评已有以奖代补，不能重复奖励", r.year),
            )
        }
        (SupportKind::Award, Some(_)) => Ok(()),
        (k, Some(_)) => err(
            "review_not_award",
            format!("{}不关联年度考评：只有以奖代补依据考评结果", k.label()),
        ),
        (_, None) => Ok(()),
    }
}

/// An entrepreneur as typed. `zone` may be left empty: it is then the zone the village belongs
/// to today.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct EntrepreneurDraft {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub kind: String,
    #[serde(default, deserialize_with = "loose")]
    pub zone: String,
    #[serde(default)]
    pub village_code: String,
    #[serde(default)]
    pub project: String,
    #[serde(default)]
    pub incubator: String,
    #[serde(default)]
    pub since: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntrepreneurSpec {
    pub name: String,
    pub kind: EntrepreneurKind,
    /// As typed; the store resolves it from the village when `None` and checks it otherwise.
    pub zone: Option<i64>,
    pub village: VillageCode,
    pub project: String,
    pub incubator: String,
    pub since: Date,
}

impl EntrepreneurDraft {
    pub fn parse(&self, today: Date) -> Result<EntrepreneurSpec, Vec<DomainError>> {
        let mut errors = Vec::new();
        let name = bounded_text(&self.name, "name", "姓名", 30, Some("请填写姓名"))
            .map_err(|e| errors.push(e))
            .ok();
        let kind = EntrepreneurKind::parse(&self.kind)
            .map_err(|e| errors.push(e))
            .ok();
        let zone = parse_zone_ref(&self.zone, "zone")
            .map_err(|e| errors.push(e))
            .ok();
        let village = if self.village_code.trim().is_empty() {
            errors.push(DomainError::new("required", "village_code", "请选择所在村"));
            None
        } else {
            VillageCode::parse(&self.village_code)
                .map_err(|mut e| {
                    e.field = "village_code".into();
                    errors.push(e)
                })
                .ok()
        };
        let project = bounded_text(
            &self.project,
            "project",
            "创业项目",
            TEXT_MAX,
            Some("请填写创业项目"),
        )
        .map_err(|e| errors.push(e))
        .ok();
        let incubator = bounded_text(&self.incubator, "incubator", "孵化平台", 100, None)
            .map_err(|e| errors.push(e))
            .ok();
        let since = past_date(
            "since",
            &self.since,
            "创业起始日期",
            "创业起始日期不能晚于今天",
            today,
        )
        .map_err(|e| errors.push(e))
        .ok();
        match (name, kind, zone, village, project, incubator, since) {
            (
                Some(name),
                Some(kind),
                Some(zone),
                Some(village),
                Some(project),
                Some(incubator),
                Some(since),
            ) if errors.is_empty() => Ok(EntrepreneurSpec {
                name,
                kind,
                zone,
                village,
                project,
                incubator,
                since,
            }),
            _ => Err(errors),
        }
    }
}

/// An entrepreneur on file: the person the figures read, and the village they work in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EntrepreneurRecord {
    pub person: Entrepreneur,
    pub village: VillageCode,
}

/// Approved support of one entrepreneur, in fen: (grants, credit).
pub fn approved_totals(records: &[SupportRecord]) -> (Fen, Fen) {
    records
        .iter()
        .filter(|r| r.status == SupportStatus::Approved)
        .fold((Fen::ZERO, Fen::ZERO), |(g, c), r| {
            if r.support.kind.is_grant() {
                (g + r.support.amount, c)
            } else {
                (g, c + r.support.amount)
            }
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn hours_are_tenths() {
        assert_eq!(parse_hours("3.5").unwrap(), 35);
        assert_eq!(parse_hours("8").unwrap(), 80);
        assert!(parse_hours("0.25").is_err());
        assert!(parse_hours("0").is_err());
        assert!(parse_hours("三").is_err());
    }

    #[test]
    fn training_and_support_drafts() {
        let t = TrainingDraft {
            topic: "村书记经营村庄能力提升".into(),
            held_on: "2025-05-20".into(),
            attendees: "42".into(),
            hours: "6".into(),
            audience: "村党组织书记".into(),
            ..Default::default()
        }
        .parse(date!(2025 - 06 - 30))
        .unwrap();
        assert_eq!((t.attendees, t.hours_tenths), (42, 60));
        let e = TrainingDraft::default()
            .parse(date!(2025 - 06 - 30))
            .unwrap_err();
        let fields: Vec<&str> = e.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["topic", "held_on", "attendees", "hours"]);
        let s = SupportDraft {
            kind: "租金减免".into(),
            amount: "36000".into(),
            from: "2025-01-01".into(),
            to: "2025-12-31".into(),
            ..Default::default()
        }
        .parse()
        .unwrap();
        assert!(s.kind.is_grant());
        assert_eq!(s.amount, Fen(3_600_000));
        assert!(!SupportKind::Loan.is_grant());
    }

    fn application() -> SupportRecord {
        let spec = SupportDraft {
            kind: "生活补贴".into(),
            amount: "12000".into(),
            from: "2025-01-01".into(),
            to: "2025-12-31".into(),
            ..Default::default()
        }
        .parse()
        .unwrap();
        SupportRecord::applied(&spec, 7, "漓渚镇（lz）", date!(2025 - 02 - 01))
    }

    #[test]
    fn support_is_applied_then_approved_or_refused_by_someone_else() {
        let a = application();
        let approve = DecisionDraft {
            verdict: "批准".into(),
            reason: String::new(),
        }
        .parse()
        .unwrap();
        // The applicant may not approve their own application.
        let e = decide(&a, &approve, "漓渚镇（lz）", date!(2025 - 02 - 03)).unwrap_err();
        assert_eq!(e.code, "self_approval");
        assert!(decide(&a, &approve, "区管理员（admin）", date!(2025 - 01 - 03)).is_err());
        let ok = decide(&a, &approve, "区管理员（admin）", date!(2025 - 02 - 03)).unwrap();
        assert_eq!(ok.status, SupportStatus::Approved);
        assert_eq!(ok.support.approved_on, Some(date!(2025 - 02 - 03)));
        // Approved support is fixed: no second decision.
        let refuse = DecisionDraft {
            verdict: "refuse".into(),
            reason: "材料不全".into(),
        }
        .parse()
        .unwrap();
        let e = decide(&ok, &refuse, "另一位（b）", date!(2025 - 02 - 04)).unwrap_err();
        assert_eq!(e.code, "already_decided");
        // A refusal keeps the grant out of the figures and needs a reason.
        let no = decide(&a, &refuse, "区管理员（admin）", date!(2025 - 02 - 03)).unwrap();
        assert_eq!(no.status, SupportStatus::Refused);
        assert_eq!(no.support.approved_on, None);
        assert_eq!(no.reason, "材料不全");
        let e = DecisionDraft {
            verdict: "refuse".into(),
            reason: " ".into(),
        }
        .parse()
        .unwrap_err();
        assert_eq!(e[0].field, "reason");
        let e = DecisionDraft::default().parse().unwrap_err();
        assert_eq!(e[0].field, "verdict");
        assert_eq!(
            approved_totals(&[ok, no, a]),
            (Fen(1_200_000), Fen::ZERO),
            "only the approved one counts"
        );
    }

    #[test]
    fn an_award_rests_on_a_good_review_of_the_same_person() {
        let review = |id, who, grade| Review {
            id,
            entrepreneur: who,
            year: 2025,
            grade,
            comment: String::new(),
            reviewer: "区人才办".into(),
            version: 1,
        };
        let award = SupportDraft {
            kind: "以奖代补".into(),
            amount: "20000".into(),
            from: "2026-01-01".into(),
            to: "2026-12-31".into(),
            review: "3".into(),
        }
        .parse()
        .unwrap();
        assert_eq!(award.review, Some(3));
        let good = review(3, 7, Grade::Good);
        assert!(check_award_basis(&award, 7, Some(&good), &[]).is_ok());
        assert!(check_award_basis(&award, 7, Some(&review(3, 7, Grade::Excellent)), &[]).is_ok());
        for g in [Grade::Pass, Grade::Fail] {
            let e = check_award_basis(&award, 7, Some(&review(3, 7, g)), &[]).unwrap_err();
            assert_eq!(e.code, "grade_too_low");
        }
        let e = check_award_basis(&award, 8, Some(&good), &[]).unwrap_err();
        assert_eq!(e.code, "review_of_other");
        assert!(check_award_basis(&award, 7, None, &[]).is_err());
        // One award per review, unless the earlier one was refused.
        let mut earlier = SupportRecord::applied(&award, 7, "a", date!(2026 - 01 - 05));
        let e =
            check_award_basis(&award, 7, Some(&good), std::slice::from_ref(&earlier)).unwrap_err();
        assert_eq!(e.code, "already_awarded");
        earlier.status = SupportStatus::Refused;
        assert!(check_award_basis(&award, 7, Some(&good), &[earlier]).is_ok());
        // The draft already insists: an award names its review, other kinds do not.
        let e = SupportDraft {
            kind: "award".into(),
            amount: "1".into(),
            from: "2026-01-01".into(),
            to: "2026-01-01".into(),
            ..Default::default()
        }
        .parse()
        .unwrap_err();
        assert_eq!(e[0].field, "review");
        let e = SupportDraft {
            kind: "loan".into(),
            amount: "1".into(),
            from: "2026-01-01".into(),
            to: "2026-01-01".into(),
            review: "3".into(),
        }
        .parse()
        .unwrap_err();
        assert_eq!(e[0].code, "review_not_award");
    }

    #[test]
    fn review_and_entrepreneur_drafts() {
        let r = ReviewDraft {
            year: "2025".into(),
            grade: "优秀".into(),
            comment: "带动 12 户增收".into(),
            reviewer: "区人才办".into(),
        }
        .parse(date!(2026 - 01 - 10))
        .unwrap();
        assert_eq!((r.year, r.grade), (2025, Grade::Excellent));
        let e = ReviewDraft {
            year: "2027".into(),
            grade: "很好".into(),
            ..Default::default()
        }
        .parse(date!(2026 - 01 - 10))
        .unwrap_err();
        let fields: Vec<&str> = e.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["year", "grade", "reviewer"]);
        let p = EntrepreneurDraft {
            name: "沈若溪".into(),
            kind: "农创客".into(),
            zone: "".into(),
            village_code: "330603110201".into(),
            project: "兰花组培与直播销售".into(),
            incubator: "柯桥区农创客孵化园".into(),
            since: "2024-03-01".into(),
        }
        .parse(date!(2025 - 06 - 30))
        .unwrap();
        assert_eq!((p.kind, p.zone), (EntrepreneurKind::AgriMaker, None));
        let e = EntrepreneurDraft {
            zone: "x".into(),
            since: "2026-01-01".into(),
            ..Default::default()
        }
        .parse(date!(2025 - 06 - 30))
        .unwrap_err();
        let fields: Vec<&str> = e.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            ["name", "kind", "zone", "village_code", "project", "since"]
        );
        let t = TrainingDraft {
            zone: "x".into(),
            ..Default::default()
        }
        .parse(date!(2025 - 06 - 30))
        .unwrap_err();
        assert_eq!(t[0].field, "zone");
    }
}
