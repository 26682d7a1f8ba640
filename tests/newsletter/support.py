import re
from html import unescape


def form_data(page, email, **wants):
    """What a reader's browser sends from the sign-up form found in ``page`` (its hidden
    fields as served), with ``email`` and the boxes ticked."""
    html = page.content.decode()
    form = re.search(r'<form class="signup-form.*?</form>', html, re.S).group(0)
    data = {
        name: unescape(value)
        for name, value in re.findall(r'type="hidden" name="(\w+)" value="([^"]*)"', form)
    }
    data["email"] = email
    for key in wants.get("boxes", ["interviews"]):
        data[key] = "on"
    return data


def link_in(message, pattern):
    text = message.get_body(preferencelist=("plain",)).get_content()
    return re.search(pattern, text).group(0)


def path_of(url):
    return url.replace("http://testserver", "")
