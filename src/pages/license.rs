//! Step 2, 上传营业执照或相关证明文件: the subject type, the photo (recognized on the server),
//! and the fields it filled in, each marked as recognized or edited, each editable. Whatever
//! recognition misses, the user types; nothing blocks.

use crate::components::back_stack::use_navigate;
use api::validate::{enterprise_name, person_name, uscc};
use api::wire::{
    ApplicationView, ApplyStep, FieldSource, LicenseDraft, LicenseField, LicenseForm, LicensePhoto,
    OpenedEnterprise, SubjectType, WECHAT_PATH,
};
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;
use serde::{Deserialize, Serialize};

use crate::client::{self, ApiError};
use crate::components::capture::PhotoCapture;
use crate::components::form::{shown_error, SubmitButton, TextCell};
use crate::components::loading::LoadingPage;
use crate::components::step_frame::StepFrame;
use crate::remote::Remote;

#[component]
pub fn License() -> impl IntoView {
    view! { <StepFrame step=ApplyStep::License render=|v: ApplicationView| view! { <Restore v/> }/> }
}

/// Brings back what was kept before the form shows: the last photo and what it read (on the
/// server, so a WebView killed while the camera was open loses nothing) and what was typed
/// over it (this tab's sessionStorage).
#[component]
fn Restore(v: ApplicationView) -> impl IntoView {
    let kept = Remote::new(|| async {
        // Without the draft the page still works: it is empty, as before.
        let draft = client::license_draft().await.unwrap_or_default();
        let photo = match &draft.photo_url {
            Some(url) => client::photo_object_url(url).await.ok(),
            None => None,
        };
        Ok((draft, photo))
    });
    view! {
        <Suspense fallback=|| view! { <LoadingPage/> }>
            {move || {
                let v = v.clone();
                Suspend::new(async move {
                    let (draft, photo) = kept.await.unwrap_or_default();
                    view! { <LicenseStep v draft photo/> }
                })
            }}
        </Suspense>
    }
}

/// What was typed over the last photo, kept per tab so that a reload keeps it.
#[derive(Clone, Default, Serialize, Deserialize)]
struct Typed {
    upload_id: String,
    subject: Option<SubjectType>,
    /// name, uscc, legal_rep, kind, address, set_date.
    values: Vec<String>,
}

const TYPED_KEY: &str = "license-typed";

fn typed_for(upload_id: &str) -> Option<Typed> {
    let s = window().session_storage().ok().flatten()?;
    let t: Typed = serde_json::from_str(&s.get_item(TYPED_KEY).ok().flatten()?).ok()?;
    (t.upload_id == upload_id).then_some(t)
}

fn keep_typed(t: &Typed) {
    if let Some(s) = window().session_storage().ok().flatten() {
        let _ = s.set_item(TYPED_KEY, &serde_json::to_string(t).unwrap_or_default());
    }
}

fn recognized_field(v: &Option<String>) -> Option<LicenseField> {
    v.clone().map(|value| LicenseField {
        value,
        source: FieldSource::Recognized,
    })
}

/// One form field: what is typed, what recognition read (to tell recognized from edited), and
/// the server's word on it.
#[derive(Clone, Copy)]
struct Field {
    value: RwSignal<String>,
    recognized: RwSignal<Option<String>>,
    touched: RwSignal<bool>,
    server: RwSignal<Option<String>>,
}

impl Field {
    fn new(saved: Option<&LicenseField>) -> Self {
        let value = saved.map(|f| f.value.clone()).unwrap_or_default();
        let recognized = saved
            .filter(|f| f.source == FieldSource::Recognized)
            .map(|f| f.value.clone());
        let field = Self {
            value: RwSignal::new(value),
            recognized: RwSignal::new(recognized),
            touched: RwSignal::new(false),
            server: RwSignal::new(None),
        };
        Effect::new(move |_| {
            field.value.track();
            field.server.set(None);
        });
        field
    }

    fn source(&self) -> Option<FieldSource> {
        let v = self.value.get();
        if v.trim().is_empty() {
            None
        } else if self.recognized.get().as_deref() == Some(v.as_str()) {
            Some(FieldSource::Recognized)
        } else {
            Some(FieldSource::Edited)
        }
    }

    /// A new photo was read: take what it says; keep what the user typed where it says nothing.
    fn fill(&self, read: Option<String>) {
        if let Some(r) = read {
            self.value.set(r.clone());
            self.recognized.set(Some(r));
        } else {
            self.recognized.set(None);
        }
    }

    fn wire(&self) -> LicenseField {
        LicenseField {
            value: self.value.get_untracked(),
            source: self.source_untracked(),
        }
    }

    fn source_untracked(&self) -> FieldSource {
        if self.recognized.get_untracked().as_deref() == Some(self.value.get_untracked().as_str()) {
            FieldSource::Recognized
        } else {
            FieldSource::Edited
        }
    }
}

fn required(
    label: &'static str,
) -> impl Fn(&str) -> Result<String, String> + Send + Sync + 'static {
    move |v: &str| {
        if v.trim().is_empty() {
            Err(format!("请输入{label}"))
        } else {
            Ok(v.trim().to_owned())
        }
    }
}

#[component]
fn SourceBadge(field: Field) -> impl IntoView {
    move || match field.source() {
        Some(FieldSource::Recognized) => {
            view! { <span class="tag tag--green">"已识别"</span> }.into_any()
        }
        Some(FieldSource::Edited) => {
            view! { <span class="tag tag--blue">"已修改"</span> }.into_any()
        }
        None => view! { <span class="tag">"待填写"</span> }.into_any(),
    }
}

#[component]
fn FieldCell<C, E>(
    id: &'static str,
    #[prop(into)] label: Signal<&'static str>,
    field: Field,
    check: C,
    placeholder: &'static str,
    #[prop(optional)] inputmode: Option<&'static str>,
    #[prop(optional)] maxlength: Option<u32>,
) -> impl IntoView
where
    C: Fn(&str) -> Result<String, E> + Send + Sync + 'static,
    E: ToString + 'static,
{
    let error = shown_error(field.touched, field.value, usize::MAX, check, field.server);
    move || {
        view! {
            <TextCell id=id label=label.get() value=field.value error=error placeholder=placeholder
                inputmode=inputmode.unwrap_or("text") maxlength=maxlength.unwrap_or(100)
                on_blur=move || field.touched.set(true) stacked=true>
                <SourceBadge field/>
            </TextCell>
        }
    }
}

#[component]
fn LicenseStep(v: ApplicationView, draft: LicenseDraft, photo: Option<String>) -> impl IntoView {
    let navigate = use_navigate();
    // A photo newer than the confirmed one (or none confirmed yet) is what the user last did.
    let newer = draft
        .upload_id
        .clone()
        .filter(|id| v.license.as_ref().is_none_or(|l| &l.upload_id != id));
    let from_draft = newer.as_ref().map(|id| {
        let r = &draft.recognized;
        LicenseForm {
            subject_type: SubjectType::Enterprise,
            upload_id: id.clone(),
            name: recognized_field(&r.name).unwrap_or(LicenseField {
                value: String::new(),
                source: FieldSource::Edited,
            }),
            uscc: recognized_field(&r.uscc).unwrap_or(LicenseField {
                value: String::new(),
                source: FieldSource::Edited,
            }),
            legal_rep: recognized_field(&r.legal_rep).unwrap_or(LicenseField {
                value: String::new(),
                source: FieldSource::Edited,
            }),
            kind: recognized_field(&r.kind),
            address: recognized_field(&r.address),
            set_date: recognized_field(&r.set_date),
        }
    });
    let restored = from_draft.is_some();
    let saved = from_draft.as_ref().or(v.license.as_ref());
    let typed = saved.and_then(|l| typed_for(&l.upload_id));
    let had_photo = saved.is_some();
    let subject = RwSignal::new(
        typed
            .as_ref()
            .and_then(|t| t.subject)
            .or(saved.map(|l| l.subject_type)),
    );
    let upload_id = RwSignal::new(saved.map(|l| l.upload_id.clone()));
    let name = Field::new(saved.map(|l| &l.name));
    let code = Field::new(saved.map(|l| &l.uscc));
    let legal_rep = Field::new(saved.map(|l| &l.legal_rep));
    let kind = Field::new(saved.and_then(|l| l.kind.as_ref()));
    let address = Field::new(saved.and_then(|l| l.address.as_ref()));
    let set_date = Field::new(saved.and_then(|l| l.set_date.as_ref()));
    let all = [name, code, legal_rep, kind, address, set_date];
    if let Some(t) = &typed {
        for (f, value) in all.iter().zip(&t.values) {
            f.value.set(value.clone());
        }
    }
    // Every keystroke is kept in this tab: sessionStorage is synchronous and cheap.
    Effect::new(move |_| {
        if let Some(id) = upload_id.get() {
            keep_typed(&Typed {
                upload_id: id,
                subject: subject.get(),
                values: all.iter().map(|f| f.value.get()).collect(),
            });
        }
    });
    let status = RwSignal::new(restored.then_some((
        "notice notice--info",
        "已恢复上次拍摄的证照及识别结果，请逐项核对。",
    )));
    // What recognition noticed about the photo (a copy, a screen, not a license) or why it
    // did not run: shown beside the fields, which stay editable.
    let warnings = RwSignal::new(Vec::<String>::new());
    let wechat = RwSignal::new(None::<OpenedEnterprise>);
    let form_error = RwSignal::new(None::<String>);
    let to_wechat = use_navigate();
    // 关联微信账户 for the enterprise found by its code: link it and go to scenario 2.
    let link = Action::new_local(|code: &String| client::link_wechat(Some(code.clone())));
    Effect::new(move |_| match link.value().get() {
        Some(Ok(_)) => to_wechat(WECHAT_PATH, Default::default()),
        Some(Err(e)) => form_error.set(Some(e.to_string())),
        None => {}
    });
    let enterprise = Signal::derive(move || subject.get() != Some(SubjectType::Institution));

    // 电子签服务已开通: look the code up whenever it becomes a valid one.
    Effect::new(move |_| {
        let Ok(c) = uscc(&code.value.get()) else {
            wechat.set(None);
            return;
        };
        spawn_local(async move {
            if let Ok(found) = client::wechat_enterprise(&c).await {
                if uscc(&code.value.get_untracked()).as_deref() == Ok(c.as_str()) {
                    wechat.set(found.opened);
                }
            }
        });
    });

    let on_uploaded = Callback::new(move |photo: LicensePhoto| {
        form_error.set(None);
        let r = photo.recognized;
        // An institution certificate has only the first three.
        let expected = if enterprise.get_untracked() { 6 } else { 3 };
        let read = [
            &r.name,
            &r.uscc,
            &r.legal_rep,
            &r.kind,
            &r.address,
            &r.set_date,
        ]
        .iter()
        .take(expected)
        .filter(|f| f.is_some())
        .count();
        name.fill(r.name);
        code.fill(r.uscc);
        legal_rep.fill(r.legal_rep);
        kind.fill(r.kind);
        address.fill(r.address);
        set_date.fill(r.set_date);
        upload_id.set(Some(photo.upload_id));
        wechat.set(photo.wechat_opened);
        let failed = photo.recognition_failed || read == 0;
        let explained = !photo.warnings.is_empty();
        warnings.set(photo.warnings);
        status.set(if failed && explained {
            // The warning says why; a second sentence would only repeat it.
            None
        } else {
            Some(if failed {
                (
                    "notice notice--warn",
                    "未能识别证照信息，请核对照片后手动填写以下信息。",
                )
            } else if read < expected {
                (
                    "notice notice--warn",
                    "部分信息未能识别，请补充标记为“待填写”的内容。",
                )
            } else {
                (
                    "notice notice--info",
                    "已根据照片自动填写企业信息，请逐项核对。",
                )
            })
        });
    });

    let submit = Action::new_local(move |form: &LicenseForm| client::confirm_license(form.clone()));
    Effect::new(move |_| match submit.value().get() {
        Some(Ok(_)) => navigate(ApplyStep::Contact.path(), Default::default()),
        Some(Err(ApiError::Refused { error, .. })) => {
            let target = match error.field.as_deref() {
                Some("name") => Some(name),
                Some("uscc") => Some(code),
                Some("legal_rep") => Some(legal_rep),
                Some("kind") => Some(kind),
                Some("address") => Some(address),
                Some("set_date") => Some(set_date),
                _ => None,
            };
            match target {
                Some(f) => f.server.set(Some(error.message)),
                None => form_error.set(Some(error.message)),
            }
        }
        Some(Err(e)) => form_error.set(Some(e.to_string())),
        None => {}
    });
    let pending = submit.pending();

    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        form_error.set(None);
        let (Some(subject_type), Some(upload)) =
            (subject.get_untracked(), upload_id.get_untracked())
        else {
            form_error.set(Some("请先选择主体类型并拍摄证照".to_owned()));
            return;
        };
        let ent = subject_type == SubjectType::Enterprise;
        let fields = if ent {
            vec![name, code, legal_rep, kind, address, set_date]
        } else {
            vec![name, code, legal_rep]
        };
        fields.iter().for_each(|f| f.touched.set(true));
        let valid = enterprise_name(&name.value.get_untracked()).is_ok()
            && uscc(&code.value.get_untracked()).is_ok()
            && person_name(&legal_rep.value.get_untracked()).is_ok()
            && (!ent
                || [kind, address, set_date]
                    .iter()
                    .all(|f| !f.value.get_untracked().trim().is_empty()));
        if !valid {
            form_error.set(Some("请检查标红的信息".to_owned()));
            return;
        }
        submit.dispatch(LicenseForm {
            subject_type,
            upload_id: upload,
            name: name.wire(),
            uscc: code.wire(),
            legal_rep: legal_rep.wire(),
            kind: ent.then(|| kind.wire()),
            address: ent.then(|| address.wire()),
            set_date: ent.then(|| set_date.wire()),
        });
    };

    let name_label = Signal::derive(move || {
        if enterprise.get() {
            "企业名称"
        } else {
            "机构名称"
        }
    });
    let rep_label = Signal::derive(move || {
        if enterprise.get() {
            "法定代表人"
        } else {
            "负责人"
        }
    });
    view! {
        <div class="page__hd">
            <h2 class="page__title">"上传营业执照或相关证明文件"</h2>
            <p class="page__desc">"请根据企业主体性质选择，拍摄证照后系统将自动填充企业信息，核对无误后点击“下一步”。"</p>
        </div>
        <h3 class="cells__title" id="subject-title">"主体类型"</h3>
        <div class="cells" role="radiogroup" aria-labelledby="subject-title">
            <SubjectOption value=SubjectType::Enterprise subject/>
            <SubjectOption value=SubjectType::Institution subject/>
        </div>
        <Show when=move || subject.get().is_some()>
            <h3 class="cells__title">{move || if enterprise.get() { "营业执照" } else { "相关证明文件" }}</h3>
            <PhotoCapture
                upload_path=api::wire::paths::LICENSE_PHOTO
                on_uploaded
                title=Signal::derive(move || if enterprise.get() { "拍摄营业执照" } else { "拍摄证明文件" }.to_owned())
                hint="请拍摄证照原件，确保四角完整、文字清晰、无反光"
                uploaded=had_photo
                preview_url=photo.clone()
            />
        </Show>
        {move || status.get().map(|(class, text)| view! { <p class=class role="status">{text}</p> })}
        {move || warnings.get().into_iter().map(|w| view! {
            <p class="notice notice--warn" role="alert">{w}</p>
        }).collect_view()}
        {move || wechat.get().map(|w| view! {
            <div class="notice notice--warn" role="alert">
                <div class="notice__bd">
                    <strong class="notice__title">"电子签服务已开通"</strong>
                    <p>{format!("{}已开通腾讯电子签微信端服务，请通过“关联微信账户”完成认证。", w.name)}</p>
                    <button type="button" class="btn btn--mini btn--primary notice__action"
                        disabled=move || link.pending().get()
                        on:click=move |_| { link.dispatch(w.uscc.clone()); }>
                        "关联微信账户"
                    </button>
                </div>
            </div>
        })}
        <Show when=move || upload_id.get().is_some()>
            <form on:submit=on_submit novalidate>
                <h3 class="cells__title">"企业信息"</h3>
                <div class="cells">
                    <FieldCell id="name" label=name_label field=name check=enterprise_name placeholder="与证照一致"/>
                    <FieldCell id="uscc" label="统一社会信用代码" field=code check=uscc placeholder="18位代码" maxlength=18/>
                    <FieldCell id="legal_rep" label=rep_label field=legal_rep check=person_name placeholder="与证照一致"/>
                    <Show when=move || enterprise.get()>
                        <FieldCell id="kind" label="类型" field=kind check=required("类型") placeholder="如 有限责任公司"/>
                        <FieldCell id="address" label="住所" field=address check=required("住所") placeholder="与证照一致" maxlength=200/>
                        <FieldCell id="set_date" label="成立日期" field=set_date check=required("成立日期") placeholder="如 2019-03-12"/>
                    </Show>
                </div>
                {move || form_error.get().map(|e| view! { <p class="notice notice--warn" role="alert">{e}</p> })}
                <SubmitButton label="下一步" pending blocked=Signal::derive(move || wechat.with(Option::is_some))/>
            </form>
        </Show>
        <p class="page__ft">
            "企业已在微信端开通腾讯电子签？"
            <A href=WECHAT_PATH attr:class="link">"关联微信账户"</A>
        </p>
    }
}

#[component]
fn SubjectOption(value: SubjectType, subject: RwSignal<Option<SubjectType>>) -> impl IntoView {
    let id = match value {
        SubjectType::Enterprise => "subject-enterprise",
        SubjectType::Institution => "subject-institution",
    };
    view! {
        <label class="cell cell--check" for=id>
            <span class="cell__bd">{value.label()}</span>
            <input type="radio" class="check" id=id name="subject" value=id
                prop:checked=move || subject.get() == Some(value)
                on:change=move |_| subject.set(Some(value))/>
            <span class="cell__ft check__icon" aria-hidden="true"></span>
        </label>
    }
}
