"""Helpers for the comments tests: valid form data with a signed time far enough in the past."""

import time

from django.urls import reverse

from comments.forms import make_timestamp
from comments.services import target_type


def post_url(target):
    return reverse("comments:post", args=[target_type(target), target.pk])


def form_data(target, age=60, **overrides):
    data = {
        "name": "Ada Reader",
        "email": "ada@example.org",
        "website": "",
        "body": "A thoughtful comment about leadership.",
        "timestamp": make_timestamp(target, now=time.time() - age),
        "hp_subject": "",
        "parent": "",
    }
    data.update(overrides)
    return data


def send(client, target, **overrides):
    return client.post(post_url(target), form_data(target, **overrides))
