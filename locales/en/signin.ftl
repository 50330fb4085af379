# Signing in: the password step, the second step, "Lost your password?".
# The ECB / EU Login wording stays as people know it ("Sign in to continue", "Try another way").

## Password step
signin-as = Signing in as
signin-change-email = Sign in with another e-mail address
signin-failed = Signing in did not work
signin-password = Password
signin-lost-password = Lost your password?
signin-submit = Sign in
signin-password-reset-done = Your password was changed. Sign in with your new password.

## Second step: a code by SMS, voice call or authenticator app, or a security key
code-title = Secure login
code-heading-sms = Secure login with SMS
code-heading-voice = Secure login with voice call
code-heading-app = Secure login with an authenticator app
code-step-up = This needs a stronger verification of your identity. You stay signed in.
code-sent-to = A verification code is sent to this phone number:
code-open-app = Open your authenticator app and look for Tessera.
code-enter-received = Please enter the code you received
code-enter-app = Please enter the code your app shows
code-six-digits = Six digits.
code-expires = The code expires after three minutes.
code-login = Login
code-resend-voice = Resend code using Voice
code-resend-sms = Resend code using SMS
key-heading = Authenticate with a Security Key or Trusted Platform
key-instructions = Connect your security key and touch it when it blinks, or use this device's screen lock when the browser asks.
key-needs-javascript = Security keys need JavaScript. Turn it on, or try another way.
key-use = Use my security key

## "Try another way"
another-way = Try another way
another-way-choose = Choose how to verify it is you:
another-way-none = Your account has no other verification method. Authenticator apps, security keys and more phone numbers can be added in My Account.
another-way-restart = Start again with another e-mail address

## Verification methods, by their code
method-sms = SMS
method-sms-to = SMS to { $phone }
method-voice = Voice call
method-voice-to = Voice call to { $phone }
method-authenticator_app = Authenticator app
method-security_key = Security key or passkey

## "Lost your password?"
reset-title = Lost your password?
reset-intro = Enter the e-mail address you sign in with. We will send a link to choose a new password.
reset-send = Send the link
reset-sent-heading = Check your e-mail
# Around the e-mail address, which is shown in bold between the two.
reset-sent-before = If an account exists for
reset-sent-after = , we have sent it a link to choose a new password. The link works once, for one hour.
reset-back = Back to sign in
reset-new-title = New password
reset-new-heading = Choose a new password
reset-new-for = For
reset-new-sessions = Every session of this account will be signed out.
reset-submit = Submit

## Security keys and passkeys in the browser (static/webauthn.js)
webauthn-cancelled = The security key did not answer, or the request was cancelled. Try again.
webauthn-failed = Something went wrong. Try again.
webauthn-unsupported = This browser cannot use security keys or passkeys.
