"""Helpers for tests that drive the admin's interview change form as an editor would."""

from django.forms import FileField, MultiWidget
from django.urls import reverse


def _value(bound):
    value = bound.value()
    if value is None:
        return ""
    return value


def change_form_data(response):
    """The POST data the admin change form would send back unchanged."""
    data = {}
    forms = [response.context["adminform"].form]
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        management = formset.management_form
        for name in management.fields:
            data[management.add_prefix(name)] = management[name].value()
        forms.extend(formset.forms)
    for form in forms:
        for name, field in form.fields.items():
            if isinstance(field, FileField):
                continue  # no new upload: the stored file is kept
            bound = form[name]
            key = form.add_prefix(name)
            value = _value(bound)
            if isinstance(field.widget, MultiWidget):
                if isinstance(value, list):  # a bound form (a draft): the parts as posted
                    parts = value
                else:
                    parts = field.widget.decompress(field.prepare_value(value) if value else None)
                for i, part in enumerate(parts):
                    data[f"{key}_{i}"] = "" if part is None else str(part)
                    if field.show_hidden_initial:  # as the page's hidden "initial-" input has it
                        data[f"initial-{key}_{i}"] = data[f"{key}_{i}"]
            elif isinstance(value, bool):
                if value:
                    data[key] = "on"
            elif isinstance(value, list | tuple):
                if name == "themes":
                    data[key] = ", ".join(getattr(v, "name", str(v)) for v in value)
                else:
                    data[key] = [getattr(v, "pk", v) for v in value]
            else:
                data[key] = getattr(value, "pk", value)
    return data


def save_in_admin(client, interview, **changes):
    url = reverse("admin:interviews_interview_change", args=[interview.pk])
    data = change_form_data(client.get(url))
    for key, value in changes.items():
        data[key] = value
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors or [
        inline.formset.errors for inline in response.context["inline_admin_formsets"]
    ]
    return response
