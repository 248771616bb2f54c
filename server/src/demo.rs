//! The fictional demo corps and people of local mode (`local-mode.md`, a fixed contract).
//!
//! Local providers answer from these tables; `/dev/reset` restores the database to them.

use api::wire::AuthMode;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SubjectKind {
    Enterprise,
    /// 个体工商户: an enterprise for the flow, with an operator (经营者) instead of a legal rep.
    IndividualBusiness,
    Institution,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WechatSide {
    NotOpened,
    /// Already opened on the WeChat side, with this person as e-sign super admin.
    Opened {
        super_admin: &'static str,
    },
}

#[derive(Debug, Clone, Copy)]
pub struct DemoCorp {
    pub id: &'static str,
    pub name: &'static str,
    pub subject: SubjectKind,
    pub uscc: &'static str,
    pub auth_mode: AuthMode,
    pub wechat_side: WechatSide,
}

#[derive(Debug, Clone, Copy)]
pub struct DemoPerson {
    pub id: &'static str,
    /// None for staff.
    pub corp: Option<&'static str>,
    pub name: &'static str,
    pub id_number: Option<&'static str>,
    pub mobile: Option<&'static str>,
    pub wecom_admin: bool,
    /// Has an e-sign account on the WeChat side (scenario 2 invitations).
    pub wechat_account: bool,
}

pub const CORPS: &[DemoCorp] = &[
    DemoCorp {
        id: "xinghe",
        name: "星河云图科技有限公司",
        subject: SubjectKind::Enterprise,
        uscc: "91330106MA2KX7Q890",
        auth_mode: AuthMode::Admin,
        wechat_side: WechatSide::NotOpened,
    },
    DemoCorp {
        id: "lanhai",
        name: "蓝海文化传媒有限公司",
        subject: SubjectKind::Enterprise,
        uscc: "91440305MA5G3N2R3N",
        auth_mode: AuthMode::Admin,
        wechat_side: WechatSide::Opened {
            super_admin: "zhaolei",
        },
    },
    DemoCorp {
        id: "qinghe",
        name: "青禾市数据资源局",
        subject: SubjectKind::Institution,
        uscc: "11510107MB1C4D5E7K",
        auth_mode: AuthMode::Admin,
        wechat_side: WechatSide::NotOpened,
    },
    DemoCorp {
        id: "beichen",
        name: "北辰物流有限公司",
        subject: SubjectKind::Enterprise,
        uscc: "91310115MA1H9T6K4H",
        auth_mode: AuthMode::Member,
        wechat_side: WechatSide::NotOpened,
    },
    DemoCorp {
        id: "xiaoman",
        name: "南山小满餐饮店（个体工商户）",
        subject: SubjectKind::IndividualBusiness,
        uscc: "92440305MA5HJ8WL2G",
        auth_mode: AuthMode::Admin,
        wechat_side: WechatSide::NotOpened,
    },
];

const fn person(
    id: &'static str,
    corp: &'static str,
    name: &'static str,
    id_number: &'static str,
    mobile: &'static str,
    wecom_admin: bool,
) -> DemoPerson {
    DemoPerson {
        id,
        corp: Some(corp),
        name,
        id_number: Some(id_number),
        mobile: Some(mobile),
        wecom_admin,
        wechat_account: false,
    }
}

pub const PEOPLE: &[DemoPerson] = &[
    person(
        "wangjianguo",
        "xinghe",
        "王建国",
        "330106197503120410",
        "13900000001",
        true,
    ),
    person(
        "zhangwei",
        "xinghe",
        "张伟",
        "440305198806231534",
        "13900000002",
        true,
    ),
    person(
        "lina",
        "xinghe",
        "李娜",
        "510107199209182628",
        "13900000003",
        false,
    ),
    DemoPerson {
        wechat_account: true,
        ..person(
            "zhaolei",
            "lanhai",
            "赵磊",
            "31011519800101077X",
            "13900000011",
            false,
        )
    },
    person(
        "chenjing",
        "lanhai",
        "陈静",
        "330106199005060485",
        "13900000012",
        true,
    ),
    DemoPerson {
        wechat_account: true,
        ..person(
            "liuyang",
            "lanhai",
            "刘洋",
            "44030519950817031X",
            "13900000013",
            false,
        )
    },
    DemoPerson {
        wechat_account: true,
        ..person(
            "sunli",
            "lanhai",
            "孙丽",
            "440305199702240641",
            "13900000014",
            false,
        )
    },
    person(
        "zhoumin",
        "qinghe",
        "周敏",
        "510107198511300256",
        "13900000021",
        true,
    ),
    person(
        "wuhao",
        "beichen",
        "吴昊",
        "310115198907090112",
        "13900000031",
        true,
    ),
    person(
        "zhengfang",
        "xiaoman",
        "郑芳",
        "330106199304020862",
        "13900000041",
        true,
    ),
    DemoPerson {
        id: "reviewer",
        corp: None,
        name: "审核员",
        id_number: None,
        mobile: None,
        wecom_admin: false,
        wechat_account: false,
    },
];

/// One line for each person on `/dev/login`, saying their part in the story.
pub fn role_in_story(id: &str) -> &'static str {
    match id {
        "wangjianguo" => "管理员 · 星河云图法定代表人（场景一）",
        "zhangwei" => "管理员 · 员工经办人，需法人授权（场景一）",
        "lina" => "普通员工，可通知企微管理员",
        "zhaolei" => "法定代表人 · 微信端电子签超级管理员（场景二）",
        "chenjing" => "管理员 · 非超级管理员（场景二）",
        "liuyang" | "sunli" => "员工 · 微信端已有电子签账号",
        "zhoumin" => "管理员 · 机构经办人，需上传授权书",
        "wuhao" => "管理员 · 应用为成员授权",
        "zhengfang" => "管理员 · 个体工商户经营者",
        "reviewer" => "电子签工作人员 · 审核授权书",
        _ => "",
    }
}

pub fn corp(id: &str) -> Option<&'static DemoCorp> {
    CORPS.iter().find(|c| c.id == id)
}

pub fn person_by_id(id: &str) -> Option<&'static DemoPerson> {
    PEOPLE.iter().find(|p| p.id == id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn demo_numbers_pass_the_shared_validators() {
        for c in CORPS {
            assert_eq!(
                api::validate::uscc(c.uscc).as_deref(),
                Ok(c.uscc),
                "{}",
                c.id
            );
        }
        for p in PEOPLE {
            if let Some(id) = p.id_number {
                assert!(api::validate::id_number(id).is_ok(), "{}", p.id);
            }
            if let Some(m) = p.mobile {
                assert!(api::validate::mobile(m).is_ok(), "{}", p.id);
            }
            if let Some(c) = p.corp {
                assert!(corp(c).is_some(), "{} belongs to an unknown corp", p.id);
            }
        }
    }
}
