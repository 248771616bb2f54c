//! 《企业微信端腾讯电子签服务协议》: the project's own wording, versioned. The version a super
//! admin accepts with 确认开通 is recorded; change [`VERSION`] with any change of text, so that
//! an acceptance always names the words that were read.

use api::wire::{Agreement, AgreementSection};

pub const TITLE: &str = "企业微信端腾讯电子签服务协议";
pub const VERSION: &str = "2026-11-29.1";

/// What opening the WeCom-side service means, shown above the agreement.
pub const WHAT_IT_MEANS: [&str; 4] = [
    "企业在微信端已开通的腾讯电子签企业账号将关联至当前企业微信，账号、合同与印章保持不变。",
    "您仍为企业的超级管理员，可在企业微信中管理企业成员、印章与合同。",
    "企业微信成员完成个人实名认证并获得授权后，可在企业微信中代表企业发起和签署合同。",
    "开通后，企业认证状态在企业微信端显示为“已认证”。",
];

const SECTIONS: &[(&str, &[&str])] = &[
    (
        "一、协议的范围",
        &[
            "本协议是您所代表的企业（以下简称“企业”）与腾讯电子签服务提供方之间，就在企业微信中使用腾讯电子签服务所订立的协议。",
            "企业已在微信端开通腾讯电子签服务的，开通企业微信端服务后，微信端已签署的合同、已创建的印章及已认证的企业信息继续有效，并可在企业微信中查看和使用。",
        ],
    ),
    (
        "二、开通与授权",
        &[
            "企业微信端服务须由企业的电子签超级管理员本人确认开通。确认开通前，超级管理员须完成个人实名认证与人脸识别，以确认为本人操作。",
            "超级管理员确认开通，即表示企业同意将微信端电子签企业账号与当前企业微信关联，并同意企业微信管理员按照企业微信的授权方式为成员开通使用权限。",
        ],
    ),
    (
        "三、成员的使用",
        &[
            "企业成员须完成个人实名认证后方可在企业微信中使用腾讯电子签。成员以企业名义发起或签署合同的，应当取得企业的相应授权。",
            "超级管理员可以邀请企业内已有腾讯电子签账号的员工在企业微信中使用，邀请以短信方式发送。",
        ],
    ),
    (
        "四、个人信息的处理",
        &[
            "为完成实名认证、人脸识别和短信通知，服务将处理超级管理员及成员的姓名、身份证号、手机号和人脸信息。上述信息仅用于身份核验与服务通知，加密存储，页面中仅显示部分内容。",
            "除法律法规另有规定外，未经本人同意，不会向第三方提供上述个人信息。",
        ],
    ),
    (
        "五、企业的责任",
        &[
            "企业应当妥善管理超级管理员及成员账号，对以企业名义在企业微信中发起和签署的电子合同负责。",
            "企业信息（名称、统一社会信用代码、法定代表人等）发生变更的，应当及时办理变更。",
        ],
    ),
    (
        "六、协议的变更与终止",
        &[
            "协议内容变更时，将以新版本的形式展示，并在超级管理员下次确认时重新取得同意。",
            "企业可以通过注销企业账号终止本协议；终止前已签署的电子合同的效力不受影响。",
        ],
    ),
];

pub fn agreement() -> Agreement {
    Agreement {
        title: TITLE.to_owned(),
        version: VERSION.to_owned(),
        sections: SECTIONS
            .iter()
            .map(|(heading, paragraphs)| AgreementSection {
                heading: (*heading).to_owned(),
                paragraphs: paragraphs.iter().map(|p| (*p).to_owned()).collect(),
            })
            .collect(),
    }
}
