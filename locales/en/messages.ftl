# Message texts in English. Every text of a message: "<template>-subject" and "<template>-body"
# for e-mail, "<template>-sms" and "<template>-voice" for phone messages (falling back to
# "-body"). Blank lines separate paragraphs.

operator-created-subject = Your Tessera operator account
operator-created-body =
    Hello { $name },

    an operator account was created for you in Tessera, with the e-mail address { $email }.

    Operators administer organisation levels, users and applications. Sign in at { $url }

    If you did not expect this message, tell the people who run Tessera at your institution.

test-message-subject = Tessera test message
test-message-body = This is a test message from Tessera, sent to check that { $channel } delivery works.
test-message-sms = Tessera test message: { $channel } delivery works.
test-message-voice = This is a test message from Tessera. Delivery by voice works.

sign-in-code-subject = Your Tessera sign-in code
sign-in-code-body = Your Tessera sign-in code is { $code }. It expires in 3 minutes. Do not share it with anyone.
sign-in-code-sms = Your Tessera code is { $code }. It expires in 3 minutes. Do not share it.
sign-in-code-voice = Your Tessera code is: { $code }. Again: { $code }.

phone-confirmation-subject = Confirm your phone number for Tessera
phone-confirmation-body = Your Tessera confirmation code is { $code }. It expires in 3 minutes. If you did not add this number, ignore this message.
phone-confirmation-sms = Your Tessera confirmation code is { $code }. It expires in 3 minutes.

password-changed-subject = Your Tessera password was changed
password-changed-body =
    Hello { $name },

    the password of your Tessera account { $email } was changed. Your other sessions were signed out.

    If you did not change it, contact your user administrator at once.

password-reset-subject = Reset your Tessera password
password-reset-body =
    Hello { $name },

    someone asked to reset the password of your Tessera account { $email }. To choose a new password, open this link within one hour:

    { $link }

    The link works once. If you did not ask for this, ignore this message: your password stays as it is.

invitation-subject = Your Tessera account
invitation-body =
    Hello { $name },

    an account was created for you in Tessera, with the e-mail address { $email }. To choose your password, open this link within 7 days:

    { $link }

    The link works once.

registration-verify-subject = Create your Tessera password
registration-verify-body =
    Hello { $name },

    an account was requested in Tessera with your e-mail address { $email }. To confirm that this address is yours and to create your password, open this link:

    { $link }

    The link works once, for 24 hours from the moment this message was sent; please use it soon. After that, open the link anyway: you can ask for a new one by entering your e-mail address again.

    If you did not ask for an account, ignore this message: without your password the request is removed after 24 hours.

    Please do not reply to this message. If you need help, use the help or contact details of the site where you were registering.

    Sent to you by Tessera

registration-notice-subject = Your Tessera account
registration-notice-body =
    Hello { $name },

    someone asked to create a Tessera account with your e-mail address { $email }. You already have an account with this address, so no new one was created.

    To sign in, go to { $signin }

    If you no longer know your password, choose a new one at { $reset }

    If you did not ask for this, ignore this message: your account stays as it is.

    Sent to you by Tessera
