//! The WeChat-side e-sign directory (scenario 2): which enterprises already opened 腾讯电子签 on
//! WeChat, who their super admin is, and which employees have accounts there.

use async_trait::async_trait;

use super::ProviderError;
use crate::demo::{self, WechatSide};

/// A person with an e-sign account on the WeChat side. Their numbers are personal data: pass
/// them on to providers, compare them, mask them; never log them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EsignPerson {
    pub name: String,
    pub id_number: String,
    pub mobile: String,
}

impl EsignPerson {
    /// Is this the person whose name and ID number were verified?
    pub fn is(&self, name: &str, id_number: &str) -> bool {
        self.name == name.trim() && self.id_number.eq_ignore_ascii_case(id_number.trim())
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EsignEnterprise {
    pub uscc: String,
    pub name: String,
    pub super_admin: EsignPerson,
    /// Employees with e-sign accounts, the super admin not included.
    pub employees: Vec<EsignPerson>,
}

#[async_trait]
pub trait WechatEsignDirectory: Send + Sync {
    /// The enterprise opened on the WeChat side with this 统一社会信用代码.
    async fn by_uscc(&self, uscc: &str) -> Result<Option<EsignEnterprise>, ProviderError>;

    /// The enterprises this verified person belongs to on the WeChat side (as super admin or
    /// employee).
    async fn memberships(
        &self,
        name: &str,
        id_number: &str,
    ) -> Result<Vec<EsignEnterprise>, ProviderError>;
}

/// Local mode: the demo corps marked as opened on the WeChat side (蓝海), with the demo people
/// of that corp who have accounts there. Nothing is asked of any outside service.
pub struct LocalWechatDirectory;

fn demo_person(p: &demo::DemoPerson) -> Option<EsignPerson> {
    Some(EsignPerson {
        name: p.name.to_owned(),
        id_number: p.id_number?.to_owned(),
        mobile: p.mobile?.to_owned(),
    })
}

fn opened() -> impl Iterator<Item = EsignEnterprise> {
    demo::CORPS.iter().filter_map(|c| {
        let WechatSide::Opened { super_admin } = c.wechat_side else {
            return None;
        };
        let super_admin = demo_person(demo::person_by_id(super_admin)?)?;
        let employees = demo::PEOPLE
            .iter()
            .filter(|p| p.corp == Some(c.id) && p.wechat_account && p.name != super_admin.name)
            .filter_map(demo_person)
            .collect();
        Some(EsignEnterprise {
            uscc: c.uscc.to_owned(),
            name: c.name.to_owned(),
            super_admin,
            employees,
        })
    })
}

#[async_trait]
impl WechatEsignDirectory for LocalWechatDirectory {
    async fn by_uscc(&self, uscc: &str) -> Result<Option<EsignEnterprise>, ProviderError> {
        Ok(opened().find(|e| e.uscc == uscc))
    }

    async fn memberships(
        &self,
        name: &str,
        id_number: &str,
    ) -> Result<Vec<EsignEnterprise>, ProviderError> {
        Ok(opened()
            .filter(|e| {
                e.super_admin.is(name, id_number)
                    || e.employees.iter().any(|p| p.is(name, id_number))
            })
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn lanhai_is_open_with_zhao_lei_as_super_admin() {
        let d = LocalWechatDirectory;
        let e = d.by_uscc("91440305MA5G3N2R3N").await.unwrap().unwrap();
        assert_eq!(e.name, "蓝海文化传媒有限公司");
        assert!(e.super_admin.is("赵磊", "31011519800101077x"));
        let names: Vec<_> = e.employees.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(names, ["刘洋", "孙丽"]);
        assert!(d.by_uscc("91330106MA2KX7Q890").await.unwrap().is_none());
    }

    #[tokio::test]
    async fn memberships_follow_the_verified_identity() {
        let d = LocalWechatDirectory;
        assert_eq!(
            d.memberships("赵磊", "31011519800101077X")
                .await
                .unwrap()
                .len(),
            1
        );
        assert_eq!(
            d.memberships("刘洋", "44030519950817031X")
                .await
                .unwrap()
                .len(),
            1
        );
        // 陈静 is a WeCom admin of 蓝海 but has no e-sign account on the WeChat side.
        assert!(d
            .memberships("陈静", "330106199005060485")
            .await
            .unwrap()
            .is_empty());
        // A name alone is not enough.
        assert!(d
            .memberships("赵磊", "330106199005060485")
            .await
            .unwrap()
            .is_empty());
    }
}
