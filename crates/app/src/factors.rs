//! "My Account", Security: the person's own second factors. Phone numbers are confirmed by
//! an eight-character code sent by SMS (shown as XXXX-XXXX); authenticator apps by a first
//! code from the app; security keys by the browser's WebAuthn ceremony. Each is named, the
//! person picks the default method, and the last factor stays while it is needed.

use serde_json::json;
use tessera_auth::totp::{AppSecret, SECRET_LEN};
use tessera_domain::audit::NewAuditEvent;
use tessera_domain::factor::{Method, may_remove_factor};
use tessera_domain::message::{Channel, NewMessage, mask_recipient};
use tessera_domain::otp::{
    CODE_LIFETIME, CodeFormat, CodeVerdict, check_code, code_digest, confirmation_code, grouped,
};
use tessera_domain::session::Assurance;
use tessera_domain::setup::{token_digest, token_text};
use tessera_domain::{UserId, ValidationErrors};
use tessera_store::authenticators::{AuthenticatorApp, Ceremony, SecurityKey};
use tessera_store::second_factors::{PhoneConfirmation, PhoneNumber};
use tessera_store::{AuditLog, Authenticators, Memberships, SecondFactors, Tx};
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

use crate::app::{App, PRODUCT_NAME};
use crate::context::Ctx;
use crate::error::{AppError, AppResult};
use crate::recipient;
use crate::signin::CurrentSession;

/// How long the browser has to answer a key registration.
const CEREMONY_LIFETIME: Duration = Duration::minutes(5);
const NAME_MAX: usize = 60;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PhoneItem {
    pub number: String,
    pub default: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NamedFactor {
    pub id: Uuid,
    pub name: String,
    pub created_at: OffsetDateTime,
    pub last_used_at: Option<OffsetDateTime>,
}

/// Everything the Security tab shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MyFactors {
    pub phones: Vec<PhoneItem>,
    pub apps: Vec<NamedFactor>,
    pub keys: Vec<NamedFactor>,
    /// The method sign-in offers first, when the person chose one they still have.
    pub default_method: Option<Method>,
    /// The methods the person has, for choosing the default.
    pub methods: Vec<Method>,
}

/// An authenticator app being added: what the app needs to read.
#[derive(Debug, Clone)]
pub struct AppEnrolment {
    pub id: Uuid,
    pub name: String,
    /// The secret in base32, for apps without a camera.
    pub secret: String,
    /// The `otpauth://` address as a QR code (SVG).
    pub qr_svg: String,
}

/// A security key registration under way: the token goes back with the browser's answer.
#[derive(Debug, Clone)]
pub struct KeyRegistration {
    pub token: String,
    pub options: serde_json::Value,
}

fn factor_name(field: &'static str, name: &str) -> Result<String, ValidationErrors> {
    let name = name.trim();
    if name.is_empty() {
        return Err(ValidationErrors::single(
            field,
            "required",
            "Give it a name, so you can tell it from others (for example \"Phone\" or \"Blue key\").",
        ));
    }
    if name.chars().count() > NAME_MAX || name.chars().any(char::is_control) {
        return Err(ValidationErrors::single(
            field,
            "invalid",
            format!("Use at most {NAME_MAX} characters, without line breaks."),
        ));
    }
    Ok(name.to_owned())
}

impl App {
    /// The Security tab's content.
    pub async fn my_factors(&self, me: &CurrentSession) -> AppResult<MyFactors> {
        let mut tx = self.store().read().await?;
        let factors = self.factors_of(&mut tx, me.user.id).await?;
        let methods = factors.methods();
        let default_phone = factors.phones.first().cloned();
        let default_method = factors.default_method.filter(|m| methods.contains(m));
        let named = |id, name: &str, created_at, last_used_at| NamedFactor {
            id,
            name: name.to_owned(),
            created_at,
            last_used_at,
        };
        let apps = tx
            .apps_of(me.user.id)
            .await?
            .into_iter()
            .filter(|a| a.confirmed)
            .map(|a| named(a.id, &a.name, a.created_at, a.last_used_at))
            .collect();
        let keys = tx
            .keys_of(me.user.id)
            .await?
            .into_iter()
            .map(|k| named(k.id, &k.name, k.created_at, k.last_used_at))
            .collect();
        Ok(MyFactors {
            phones: factors
                .phones
                .iter()
                .map(|number| PhoneItem {
                    default: Some(number) == default_phone.as_ref(),
                    number: number.clone(),
                })
                .collect(),
            apps,
            keys,
            default_method,
            methods,
        })
    }

    async fn audit_factor(
        &self,
        tx: &mut Tx,
        me: &CurrentSession,
        action: &str,
        details: serde_json::Value,
        ctx: &Ctx,
    ) -> AppResult<()> {
        tx.append_audit(
            NewAuditEvent::new(self.now(), ctx.actor, action, "user")
                .target(me.user.id)
                .level(me.user.level_id)
                .request(ctx.request_id.as_deref())
                .details(&details),
        )
        .await?;
        Ok(())
    }

    /// Sends the eight-character code to a new number; returns the number as it is kept.
    pub async fn start_adding_phone(
        &self,
        me: &CurrentSession,
        number: &str,
        ctx: &Ctx,
    ) -> AppResult<String> {
        let number = recipient::check(Channel::Sms, number).map_err(|mut errors| {
            for error in &mut errors.errors {
                error.field = "phone";
            }
            errors
        })?;
        let mut tx = self.store().begin().await?;
        if tx
            .phones_of(me.user.id)
            .await?
            .iter()
            .any(|p| p.number == number)
        {
            return Err(ValidationErrors::single(
                "phone",
                "duplicate",
                "This number is already in your account.",
            )
            .into());
        }
        let code = confirmation_code(self.random_bytes());
        let salt = format!("phone:{}:{number}", me.user.id.0);
        tx.put_phone_confirmation(&PhoneConfirmation {
            user_id: me.user.id,
            number: number.clone(),
            code_digest: code_digest(&salt, &code),
            attempts: 0,
            expires_at: self.now() + CODE_LIFETIME,
        })
        .await?;
        let message = NewMessage::new(
            Channel::Sms,
            &number,
            "phone-confirmation",
            &me.user.language,
        )
        .secret_arg("code", grouped(&code));
        self.enqueue_message(&mut tx, message).await?;
        self.audit_factor(
            &mut tx,
            me,
            "factor.phone_confirm_sent",
            json!({"phone": mask_recipient(Channel::Sms, &number)}),
            ctx,
        )
        .await?;
        tx.commit().await?;
        self.wake_delivery();
        Ok(number)
    }

    /// Checks the typed XXXX-XXXX code; right: the number is added (and is the default when
    /// the person had none). Wrong: the tries left; five wrong or expired: start again.
    pub async fn confirm_phone(
        &self,
        me: &CurrentSession,
        number: &str,
        code: &str,
        ctx: &Ctx,
    ) -> AppResult<()> {
        let now = self.now();
        let mut tx = self.store().begin().await?;
        let Some(pending) = tx.phone_confirmation(me.user.id, number).await? else {
            return Err(AppError::ChallengeGone);
        };
        let tries_before = tx.use_confirmation_try(me.user.id, number).await? - 1;
        let salt = format!("phone:{}:{number}", me.user.id.0);
        let verdict = check_code(
            CodeFormat::Confirmation,
            &salt,
            &pending.code_digest,
            code,
            tries_before,
            pending.expires_at,
            now,
        );
        match verdict {
            CodeVerdict::Accepted => {
                tx.delete_phone_confirmation(me.user.id, number).await?;
                tx.add_phone(
                    me.user.id,
                    &PhoneNumber {
                        number: number.to_owned(),
                        verified: true,
                        created_at: now,
                    },
                )
                .await?;
                if tx.default_phone(me.user.id).await?.is_none() {
                    tx.set_default_phone(me.user.id, Some(number), now).await?;
                }
                self.audit_factor(
                    &mut tx,
                    me,
                    "factor.phone_add",
                    json!({"phone": mask_recipient(Channel::Sms, number)}),
                    ctx,
                )
                .await?;
                tx.commit().await?;
                Ok(())
            }
            CodeVerdict::Wrong { left } => {
                tx.commit().await?;
                Err(AppError::WrongCode { left })
            }
            CodeVerdict::Exhausted | CodeVerdict::Expired => {
                tx.delete_phone_confirmation(me.user.id, number).await?;
                tx.commit().await?;
                Err(if verdict == CodeVerdict::Expired {
                    AppError::CodeExpired
                } else {
                    AppError::CodeExhausted
                })
            }
        }
    }

    /// What the person's applications need: the most any of them asks (by its minimum
    /// assurance, for applications the person holds a membership of), and never less than
    /// what the installation asks of everyone.
    pub(crate) async fn assurance_needed_by(
        &self,
        tx: &mut Tx,
        user: UserId,
    ) -> AppResult<Assurance> {
        let apps = tx.assurances_needed(user, self.now()).await?;
        Ok(apps
            .into_iter()
            .fold(self.config().required_assurance, Assurance::max))
    }

    /// Refuses to remove the last factor while the person's applications need one.
    async fn check_removal(&self, tx: &mut Tx, me: &CurrentSession) -> AppResult<()> {
        let left = self
            .factors_of(tx, me.user.id)
            .await?
            .count()
            .saturating_sub(1);
        let needed = self.assurance_needed_by(tx, me.user.id).await?;
        if may_remove_factor(left, needed) {
            Ok(())
        } else {
            Err(AppError::LastFactor)
        }
    }

    pub async fn remove_phone(
        &self,
        me: &CurrentSession,
        number: &str,
        ctx: &Ctx,
    ) -> AppResult<()> {
        let mut tx = self.store().begin().await?;
        self.check_removal(&mut tx, me).await?;
        if !tx.delete_phone(me.user.id, number).await? {
            return Err(AppError::NotFound);
        }
        if tx.default_phone(me.user.id).await?.as_deref() == Some(number) {
            let next = tx.phones_of(me.user.id).await?.into_iter().next();
            tx.set_default_phone(
                me.user.id,
                next.as_ref().map(|p| p.number.as_str()),
                self.now(),
            )
            .await?;
        }
        self.audit_factor(
            &mut tx,
            me,
            "factor.phone_remove",
            json!({"phone": mask_recipient(Channel::Sms, number)}),
            ctx,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Makes one of the person's numbers the one codes go to first.
    pub async fn make_default_phone(
        &self,
        me: &CurrentSession,
        number: &str,
        ctx: &Ctx,
    ) -> AppResult<()> {
        let mut tx = self.store().begin().await?;
        if !tx
            .phones_of(me.user.id)
            .await?
            .iter()
            .any(|p| p.number == number && p.verified)
        {
            return Err(AppError::NotFound);
        }
        tx.set_default_phone(me.user.id, Some(number), self.now())
            .await?;
        self.audit_factor(
            &mut tx,
            me,
            "factor.phone_default",
            json!({"phone": mask_recipient(Channel::Sms, number)}),
            ctx,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The method sign-in offers first; it must be one the person has.
    pub async fn set_default_method(
        &self,
        me: &CurrentSession,
        method: Method,
        ctx: &Ctx,
    ) -> AppResult<()> {
        let mut tx = self.store().begin().await?;
        if !self
            .factors_of(&mut tx, me.user.id)
            .await?
            .methods()
            .contains(&method)
        {
            return Err(ValidationErrors::single(
                "method",
                "unavailable",
                "Add this verification method to your account first.",
            )
            .into());
        }
        tx.set_default_method(me.user.id, method.as_str(), self.now())
            .await?;
        self.audit_factor(
            &mut tx,
            me,
            "factor.default_method",
            json!({"method": method.as_str()}),
            ctx,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    fn enrolment_of(&self, me: &CurrentSession, app: &AuthenticatorApp) -> AppResult<AppEnrolment> {
        let secret = self.secrets().open("totp", &app.secret)?;
        let totp = AppSecret::new(&secret, PRODUCT_NAME, &me.user.email)?;
        Ok(AppEnrolment {
            id: app.id,
            name: app.name.clone(),
            secret: totp.text(),
            qr_svg: totp.qr_svg()?,
        })
    }

    /// A new authenticator app, unconfirmed until the person types its first code.
    pub async fn start_adding_authenticator_app(
        &self,
        me: &CurrentSession,
        name: &str,
        ctx: &Ctx,
    ) -> AppResult<AppEnrolment> {
        let name = factor_name("name", name)?;
        let secret: [u8; SECRET_LEN] = self.random_bytes();
        let app = AuthenticatorApp {
            id: Uuid::new_v4(),
            user_id: me.user.id,
            name,
            secret: self.secrets().seal("totp", &secret)?,
            confirmed: false,
            last_step: None,
            created_at: self.now(),
            last_used_at: None,
        };
        let enrolment = self.enrolment_of(me, &app)?;
        let mut tx = self.store().begin().await?;
        tx.insert_app(&app).await?;
        self.audit_factor(
            &mut tx,
            me,
            "factor.app_start",
            json!({"app": app.id, "name": app.name}),
            ctx,
        )
        .await?;
        tx.commit().await?;
        Ok(enrolment)
    }

    /// An unconfirmed app of the person, to show its QR code again.
    pub async fn authenticator_enrolment(
        &self,
        me: &CurrentSession,
        id: Uuid,
    ) -> AppResult<AppEnrolment> {
        let mut tx = self.store().read().await?;
        let app = tx
            .apps_of(me.user.id)
            .await?
            .into_iter()
            .find(|a| a.id == id && !a.confirmed)
            .ok_or(AppError::NotFound)?;
        self.enrolment_of(me, &app)
    }

    /// Confirms an app with a code it shows now; that code cannot be used again to sign in.
    pub async fn confirm_authenticator_app(
        &self,
        me: &CurrentSession,
        id: Uuid,
        code: &str,
        ctx: &Ctx,
    ) -> AppResult<()> {
        let now = self.now();
        let mut tx = self.store().begin().await?;
        let app = tx
            .apps_of(me.user.id)
            .await?
            .into_iter()
            .find(|a| a.id == id && !a.confirmed)
            .ok_or(AppError::NotFound)?;
        let secret = self.secrets().open("totp", &app.secret)?;
        let totp = AppSecret::new(&secret, PRODUCT_NAME, &me.user.email)?;
        let unix = u64::try_from(now.unix_timestamp()).unwrap_or(0);
        let mut accepted = false;
        for step in totp.matching_steps(code, unix) {
            if tx
                .use_app_step(app.id, i64::try_from(step).unwrap_or(i64::MAX), now)
                .await?
            {
                accepted = true;
                break;
            }
        }
        if !accepted {
            return Err(ValidationErrors::single(
                "code",
                "wrong",
                "The code is not correct. Check that the app shows Tessera with your e-mail address, and type the six digits it shows now.",
            )
            .into());
        }
        tx.confirm_app(me.user.id, app.id).await?;
        self.audit_factor(
            &mut tx,
            me,
            "factor.app_add",
            json!({"app": app.id, "name": app.name}),
            ctx,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn remove_authenticator_app(
        &self,
        me: &CurrentSession,
        id: Uuid,
        ctx: &Ctx,
    ) -> AppResult<()> {
        let mut tx = self.store().begin().await?;
        let confirmed = tx
            .apps_of(me.user.id)
            .await?
            .into_iter()
            .find(|a| a.id == id)
            .ok_or(AppError::NotFound)?
            .confirmed;
        if confirmed {
            self.check_removal(&mut tx, me).await?;
        }
        tx.delete_app(me.user.id, id).await?;
        self.audit_factor(&mut tx, me, "factor.app_remove", json!({"app": id}), ctx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Options for the browser to create a security key or passkey for this person.
    pub async fn start_adding_security_key(
        &self,
        me: &CurrentSession,
    ) -> AppResult<KeyRegistration> {
        let passkeys = self.passkeys()?;
        let mut tx = self.store().begin().await?;
        let existing: Vec<String> = tx
            .keys_of(me.user.id)
            .await?
            .into_iter()
            .map(|k| k.passkey)
            .collect();
        let display = format!("{} {}", me.user.first_name, me.user.last_name);
        let (options, state) =
            passkeys.start_registration(me.user.id.0, &me.user.email, display.trim(), &existing)?;
        let token = token_text(self.random_bytes());
        tx.insert_ceremony(&Ceremony {
            token_digest: token_digest(&token),
            user_id: Some(me.user.id),
            purpose: "register".into(),
            state,
            expires_at: self.now() + CEREMONY_LIFETIME,
        })
        .await?;
        tx.commit().await?;
        Ok(KeyRegistration { token, options })
    }

    /// Checks the browser's answer and keeps the new key under its name.
    pub async fn finish_adding_security_key(
        &self,
        me: &CurrentSession,
        token: &str,
        name: &str,
        response: &str,
        ctx: &Ctx,
    ) -> AppResult<Uuid> {
        let passkeys = self.passkeys()?;
        let name = factor_name("name", name)?;
        let now = self.now();
        let mut tx = self.store().begin().await?;
        let ceremony = tx
            .take_ceremony(&token_digest(token))
            .await?
            .filter(|c| {
                c.purpose == "register" && c.user_id == Some(me.user.id) && c.expires_at > now
            })
            .ok_or(AppError::ChallengeGone)?;
        let key = passkeys.finish_registration(response, &ceremony.state)?;
        let credential_id = hex::encode(&key.credential_id);
        if tx.key_by_credential(&credential_id).await?.is_some() {
            return Err(AppError::KeyRefused(
                "this key is registered already".into(),
            ));
        }
        let id = Uuid::new_v4();
        tx.insert_key(&SecurityKey {
            id,
            user_id: me.user.id,
            name: name.clone(),
            credential_id,
            passkey: key.passkey,
            created_at: now,
            last_used_at: None,
        })
        .await?;
        self.audit_factor(
            &mut tx,
            me,
            "factor.key_add",
            json!({"key": id, "name": name}),
            ctx,
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    pub async fn remove_security_key(
        &self,
        me: &CurrentSession,
        id: Uuid,
        ctx: &Ctx,
    ) -> AppResult<()> {
        let mut tx = self.store().begin().await?;
        self.check_removal(&mut tx, me).await?;
        if !tx.delete_key(me.user.id, id).await? {
            return Err(AppError::NotFound);
        }
        self.audit_factor(&mut tx, me, "factor.key_remove", json!({"key": id}), ctx)
            .await?;
        tx.commit().await?;
        Ok(())
    }
}
