## The CAPTCHA field of a form (templates/captcha_field.html, static/captcha.js)
captcha-label = Enter the code
captcha-hint = Type the letters and digits in the picture (capitals or not), or listen to them. Your browser may also check this by itself: then you can leave the box empty.
captcha-image-alt = A picture of the code. If you cannot see it, use Listen to hear the code.
captcha-listen = Listen to the code
captcha-new = New code
captcha-js-type = Type the code from the picture, or listen to it.
captcha-js-working = Your browser is checking that you are a person. You can go on filling in the form.
captcha-js-done = Done: your browser has answered the check. You do not need to type the code.
captcha-js-progress = Your browser is checking that you are a person: about {"{"}share{"}"} % done.
captcha-js-fetching = Getting a new code…
captcha-js-busy = No new code could be given now. Wait a minute, then try again.
captcha-js-offline = No new code could be given now. Check your connection.
