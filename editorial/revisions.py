"""History of interviews and posts, kept by django-reversion; ``field_diffs`` adds what it lacks,
a diff of two revisions (difflib over each version's fields). Why reversion: docs/editorial.md.
"""

import difflib

import reversion
from django.apps import apps
from reversion.models import Version

# model label -> (fields to leave out of diffs, relations the revision follows)
TRACKED = {
    "interviews.Interview": {"follow": ["answers", "platform_uses"]},
    "interviews.Answer": {"follow": []},
    "interviews.InterviewPlatform": {"follow": []},
    "blog.Post": {"follow": []},
}
# Derived or bookkeeping fields: not worth showing in a diff.
HIDDEN_FIELDS = {"introduction_html", "closing_html", "body_html", "updated_at", "created_at"}


def register_models():
    for label, options in TRACKED.items():
        model = apps.get_model(label)
        if not reversion.is_registered(model):
            reversion.register(model, follow=options["follow"])


def _describe(version):
    """A readable name for one serialized object of a revision."""
    model = version.content_type.model_class()
    if model is not None and model._meta.label == "interviews.Answer":
        return f"Answer “{version.object_repr}”"
    return f"{version.content_type.name.capitalize()} “{version.object_repr}”"


def _labels(model):
    """Field name (and attname: ``leader_id``) -> the label editors see in the form."""
    if model is None:
        return {}
    labels = {}
    for field in model._meta.get_fields():
        if getattr(field, "concrete", False) or field.many_to_many:
            label = str(getattr(field, "verbose_name", field.name)).capitalize()
            labels[field.name] = label
            labels[getattr(field, "attname", field.name)] = label
    return labels


def _as_text(value):
    if value is None:
        return ""
    if isinstance(value, list | tuple | set):
        return ", ".join(str(item) for item in value)
    return str(value)


def revision_fields(revision):
    """{(content type id, object id): (label, {field: text})} for every object in a revision."""
    result = {}
    for version in revision.version_set.select_related("content_type"):
        labels = _labels(version.content_type.model_class())
        fields = {
            labels.get(name, name): _as_text(value)
            for name, value in version.field_dict.items()
            if name not in HIDDEN_FIELDS
        }
        result[(version.content_type_id, version.object_id)] = (_describe(version), fields)
    return result


def field_diffs(old_revision, new_revision):
    """What changed between two revisions: a list of
    {"object", "field", "status", "old", "new", "lines"} where lines is a list of
    (kind, text) with kind in {"-", "+", " "} (a line-by-line difflib diff)."""
    old, new = revision_fields(old_revision), revision_fields(new_revision)
    changes = []
    for key in sorted(set(old) | set(new), key=lambda k: (k[0], str(k[1]))):
        label = (new.get(key) or old.get(key))[0]
        old_fields = old.get(key, (None, {}))[1]
        new_fields = new.get(key, (None, {}))[1]
        status = "changed"
        if key not in old:
            status = "added"
        elif key not in new:
            status = "removed"
        for field in sorted(set(old_fields) | set(new_fields)):
            before, after = old_fields.get(field, ""), new_fields.get(field, "")
            if before == after:
                continue
            lines = []
            for line in difflib.ndiff(before.splitlines(), after.splitlines()):
                if line.startswith("? "):
                    continue
                lines.append((line[0], line[2:]))
            changes.append(
                {
                    "object": label,
                    "field": field,
                    "status": status,
                    "old": before,
                    "new": after,
                    "lines": lines,
                }
            )
    return changes


def versions_for(obj):
    return Version.objects.get_for_object(obj).select_related("revision__user")


def last_changed(obj):
    """When the item's last revision was saved (the admin saves one per change), or None."""
    version = (
        Version.objects.get_for_object(obj)
        .select_related("revision")
        .order_by("-revision__date_created")
        .first()
    )
    return version.revision.date_created if version else None
