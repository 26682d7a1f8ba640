"""The three editorial roles (Editor, Author, Moderator) as Django groups with their permissions.

What each may do: docs/editorial.md, "Roles". ``sync_roles`` is idempotent: the data migrations
run it, and a new migration runs it again when new models need adding.
"""

EDITOR, AUTHOR, MODERATOR = "Editor", "Author", "Moderator"

EDITOR_APPS = {"interviews", "blog", "comments", "taggit", "editorial", "images"}
EDITOR_EXTRA = [
    ("auth", "user", ["add", "change", "view"]),
    ("auth", "group", ["view"]),
    ("reversion", "revision", ["view"]),
    ("reversion", "version", ["view"]),
    # The newsletter: issues are written, scheduled and sent by editors; they see every send.
    ("newsletter", "issue", ["add", "change", "view", "delete"]),
    ("newsletter", "digestsettings", ["change", "view"]),
    ("newsletter", "mailing", ["change", "view"]),
]

AUTHOR_PERMISSIONS = [
    ("interviews", "interview", ["add", "change", "view"]),
    ("interviews", "answer", ["add", "change", "view", "delete"]),
    ("interviews", "interviewplatform", ["add", "change", "view", "delete"]),
    ("interviews", "quote", ["add", "change", "view", "delete"]),
    ("interviews", "themedinterview", ["add", "change", "view", "delete"]),
    ("interviews", "leader", ["add", "view"]),
    ("interviews", "socialaccount", ["add", "view"]),
    ("interviews", "series", ["view"]),
    ("interviews", "question", ["view"]),
    ("interviews", "platform", ["view"]),
    ("interviews", "theme", ["add", "view"]),
    ("blog", "post", ["add", "change", "view"]),
    ("blog", "author", ["view"]),
    ("taggit", "tag", ["add", "view"]),
    ("taggit", "taggeditem", ["add", "change", "view", "delete"]),
    ("images", "image", ["add", "change", "view"]),
]

MODERATOR_PERMISSIONS = [
    ("comments", "comment", ["change", "view", "delete"]),
    ("comments", "moderationsettings", ["change", "view"]),
    ("comments", "subscription", ["change", "view", "delete"]),
]


def _codenames(app_label, model, actions):
    return [(app_label, f"{action}_{model}") for action in actions]


def sync_roles(group_model, permission_model):
    """Create or update the three groups. Takes the models so migrations can pass historical
    ones."""
    perms = permission_model.objects.select_related("content_type")
    by_key = {(p.content_type.app_label, p.codename): p for p in perms}

    def pick(spec):
        wanted = [key for app, model, actions in spec for key in _codenames(app, model, actions)]
        return [by_key[key] for key in wanted if key in by_key]

    editor, _ = group_model.objects.get_or_create(name=EDITOR)
    editor.permissions.set(
        [p for key, p in by_key.items() if key[0] in EDITOR_APPS] + pick(EDITOR_EXTRA)
    )
    author, _ = group_model.objects.get_or_create(name=AUTHOR)
    author.permissions.set(pick(AUTHOR_PERMISSIONS))
    moderator, _ = group_model.objects.get_or_create(name=MODERATOR)
    moderator.permissions.set(pick(MODERATOR_PERMISSIONS))
    return editor, author, moderator


def can_publish(user, model):
    """Whether ``user`` may publish (and schedule, and unpublish) items of ``model``."""
    opts = model._meta
    return user.has_perm(f"{opts.app_label}.publish_{opts.model_name}")


def is_restricted_author(user, model):
    """An author (anyone who may edit items of ``model`` but not publish them) sees only their
    own."""
    return not user.is_superuser and not can_publish(user, model)
