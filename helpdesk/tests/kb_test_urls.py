"""The site's addresses plus one test page: a description field that opts into knowledge base
suggestions, as an intake form would (``kb_suggest_attrs`` and ``js/kb-suggest.js``)."""

from django import forms
from django.http import HttpResponse
from django.template import engines
from django.urls import path

from cvms.urls import urlpatterns as site_urlpatterns
from helpdesk.kb_forms import kb_suggest_attrs

PAGE = engines["django"].from_string("""{% extends "base.html" %}{% load i18n static %}
{% block title %}Describe your request{% endblock %}
{% block content %}<h1>Describe your request</h1>
<form class="usa-form usa-form--large" method="post" action="">
  {{ form.description.label_tag }}{{ form.description }}
</form>
{% endblock %}
{% block extra_js %}<script src="{% static 'js/kb-suggest.js' %}" defer></script>{% endblock %}""")


class DescriptionForm(forms.Form):
    description = forms.CharField(label="Description of request", max_length=4000,
                                  widget=forms.Textarea(attrs={"class": "usa-textarea", **kb_suggest_attrs()}))


def describe(request):
    return HttpResponse(PAGE.render({"form": DescriptionForm()}, request))


urlpatterns = [path("test/describe/", describe), *site_urlpatterns]
