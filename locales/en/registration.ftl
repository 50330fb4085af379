# "Create an account" (self-registration), its e-mailed link, the privacy statement.
# Keys start with register- or privacy- so they never meet the other files' keys.

register-title = Create an account
register-help-link = Help for external users
register-error-summary = Please correct the following
register-first-name = First name
register-last-name = Last name
register-email = E-mail
register-confirm-email = Confirm e-mail
register-language = E-mail language
register-language-hint = The language of the e-mails Tessera sends you, whatever the language of these pages. Tessera only writes to check your identity or to tell you about your account's security.
register-privacy-before = By checking this box, you acknowledge that you have read and understood the
register-privacy-link = privacy statement
register-submit = Create an account
register-cancel = Cancel
register-too-many = Too many attempts came from your network. Wait a minute, then try again.

register-sent-title = Check your e-mail
register-sent-body = We have sent a message to { $email }. Open the link in it within 24 hours to create your password.
register-sent-spam = If you cannot find the message, look in your spam or junk folder. If the address already has an account, the message tells you how to sign in instead.
register-back-to-signin = Back to sign in

register-password-title = New password
register-password-intro = Please choose your new password.
register-external = (External)
register-new-password = New password
register-confirm-password = Confirm new password
register-rules-intro = Your password cannot include your name or e-mail address, and must have at least 10 characters from at least three of these groups (spaces allowed):
register-rules-upper = upper case letters: A to Z
register-rules-lower = lower case letters: a to z
register-rules-digits = digits: 0 to 9
register-rules-special = special characters, such as !"#$%&'()*+,-./:;<=>?@[\]^_`{"{"}|{"}"}~
register-rules-leaked = It is also checked against a list of passwords leaked in the past and refused if it is too easy to guess. Choose one as long as you can remember.
register-password-submit = Submit

register-expired-title = This link no longer works
register-expired-body = The link has expired (links work for 24 hours) or was used already. Enter your e-mail address again to receive a new link.
register-expired-submit = Send a new link
register-expired-removed = If your request was made more than a day ago, it may have been removed: then create your account again.

register-done-title = Your account is ready
register-done-signed-in = Your password is set and you are signed in as { $email }. You can now proceed to the service you wanted to use.
register-done-sign-in = Your password is set for { $email }. Sign in to continue.
register-proceed = Proceed

register-help-title = Help for external users
register-help-who = Create an account here if you do not belong to an organisation that manages its users in Tessera. If your organisation does, ask its user administrator instead: your account will then show your organisation.
register-help-step-form = Fill in your first and last name (in any alphabet), your e-mail address twice, the language for e-mails, and the code in the picture, then tick the privacy statement's box.
register-help-step-mail = Open the link in the e-mail Tessera sends you within 24 hours. Nothing arrived? Look in your spam folder.
register-help-step-password = Choose your password. You are then signed in and can proceed to the service that sent you.
register-help-external = Accounts created here belong to no organisation and are shown as External. Each application decides whether it accepts them.

privacy-title = Privacy statement
privacy-intro = Tessera is the identity portal that signs you in to the applications of the institution that runs it. This statement says what it keeps about you, why, and for how long.
privacy-what-heading = What Tessera keeps
privacy-what-account = Your account: first and last name, e-mail address, the language for e-mails, your organisation (or External), its state and when it was created and changed.
privacy-what-secrets = Your password, only as a one-way hash that cannot be turned back into the password; your second factors (phone numbers, authenticator apps, security keys), with their secrets encrypted.
privacy-what-sessions = Your sessions: when you signed in, the browser's description and network address, and the applications you opened.
privacy-what-audit = An audit trail of what is done with your account (signing in, changes, memberships), which cannot be altered afterwards.
privacy-what-messages = The e-mails and text messages sent to you, until some time after their delivery.
privacy-why-heading = Why
privacy-why = To let you sign in safely, to tell the applications you open who you are and which of their groups you belong to, to protect your account against misuse (limits on attempts, the CAPTCHA) and to be able to answer for every change.
privacy-shared-heading = Who receives it
privacy-shared = An application you sign in to receives your name, e-mail address and your groups in that application only. Nothing is sold or passed to anyone else. The CAPTCHA runs on Tessera itself: no third party sees you fill in the form.
privacy-kept-heading = How long
privacy-kept = An account whose e-mail address was never confirmed is removed once its link expires (after 24 hours). Other accounts are kept until they are deleted; sessions for a week after they end; messages for the period the operators set; the audit trail as the institution's rules require.
privacy-not-heading = What Tessera does not do
privacy-not = No advertising, no tracking, no cookies other than those needed to sign you in, protect forms and remember your language and e-mail address on this browser.
privacy-rights-heading = Your rights
privacy-rights = You can see and change your details and sessions under My Account. To have your data corrected or your account deleted, or with any question, contact the people who run Tessera at the institution that sent you here.

register-error-first_name-required = Enter your first name.
register-error-first_name-too_long = A first name has at most 100 characters.
register-error-first_name-invalid = A first name cannot contain control characters.
register-error-last_name-required = Enter your last name.
register-error-last_name-too_long = A last name has at most 100 characters.
register-error-last_name-invalid = A last name cannot contain control characters.
register-error-email-required = Enter your e-mail address.
register-error-email-invalid = Enter an e-mail address such as name@example.org.
register-error-email-too_long = An e-mail address has at most 254 characters.
register-error-confirm_email-required = Enter your e-mail address again.
register-error-confirm_email-mismatch = The two e-mail addresses are not the same.
register-error-language-unsupported = Choose one of the languages in the list.
register-error-privacy-required = Tick the box to acknowledge the privacy statement.
register-error-captcha-required = Enter the code shown in the picture.
register-error-captcha-wrong = The code was not correct. Enter the new code.
register-error-captcha-expired = The code has expired. Enter the new code.
register-error-captcha-gone = This code cannot be used any more. Enter the new code.
register-error-captcha-too_many = Too many codes were asked for from your network. Wait a minute, then try again.
register-error-new_password-too_short = Use at least 10 characters.
register-error-new_password-too_long = This password is too long.
register-error-new_password-too_simple = Use characters from at least three of these groups: upper case letters, lower case letters, digits, special characters (a space counts).
register-error-new_password-contains_name = Do not use your name or e-mail address in your password.
register-error-new_password-leaked = Your new password cannot be used because it is in a public database with insecure passwords. It could be used to take over your account. Please choose a different password.
register-error-confirm-mismatch = The two passwords are not the same.
