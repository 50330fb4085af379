# Page texts in English: the reference every other language must match key for key
# (a unit test in crates/web/src/i18n.rs checks it).

language-name = English
language-menu = Language
skip-to-content = Skip to content
tagline = Identity portal
footer = Tessera identity portal
error-summary = Please correct the following

## Sign-in
signin-title = Sign in
signin-heading = Sign in to continue
signin-email = E-mail address
signin-email-placeholder = Enter your e-mail address
signin-create-account = Create an account
signin-next = Next >
signin-passkey = Sign in with a passkey

## Errors by field and code (the app's English sentence is the fallback)
error-email-invalid = Enter an e-mail address in the form name@example.org.
error-email-required = Enter your e-mail address.
error-required = This field is required.
