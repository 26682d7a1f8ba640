import re
from io import StringIO

import pytest
from django.contrib.auth import authenticate, get_user_model
from django.core.management import call_command

from blog.models import Post
from comments.models import Comment
from interviews.models import Interview, Leader

pytestmark = pytest.mark.django_db


def load(seeds):
    out = StringIO()
    call_command("load_demo", "--seeds", str(seeds), stdout=out)
    return out.getvalue()


def login_from(output):
    assert "http://127.0.0.1:8000/admin/" in output
    username = re.search(r"username: (\S+)", output).group(1)
    password = re.search(r"password: (\S+)", output).group(1)
    return username, password


def test_without_seeds_loads_demo_content_and_prints_a_login(tmp_path):
    output = load(tmp_path)  # an empty folder
    assert "loading the demo content instead" in output
    assert Leader.objects.count() >= 2
    assert Interview.objects.published().count() >= 2
    assert Post.objects.published().count() >= 2
    assert Comment.objects.filter(parent__isnull=False).exists()
    # Clearly demo content, not the publication's.
    assert all("Demo" in i.title for i in Interview.objects.all())
    username, password = login_from(output)
    user = authenticate(username=username, password=password)
    assert user is not None and user.is_superuser and user.is_staff


def test_running_twice_resets_the_password_and_creates_nothing_new(tmp_path):
    first = login_from(load(tmp_path))
    counts = (Interview.objects.count(), Post.objects.count(), Comment.objects.count())
    second = login_from(load(tmp_path))
    assert (Interview.objects.count(), Post.objects.count(), Comment.objects.count()) == counts
    assert get_user_model().objects.filter(username="editor").count() == 1
    assert first[1] != second[1]
    assert authenticate(username="editor", password=first[1]) is None
    assert authenticate(username="editor", password=second[1]) is not None


def test_with_seeds_imports_the_real_content(seeds_dir):
    output = load(seeds_dir)
    assert "Importing 5 export(s)" in output
    assert Interview.objects.published().count() == 7
    assert Post.objects.published().count() == 19
    assert not Post.objects.filter(title__contains="Demo").exists()
    login_from(output)
