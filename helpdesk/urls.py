from django.urls import path

from helpdesk import kb_views, views

app_name = "helpdesk"
urlpatterns = [
    path("", views.home, name="home"),
]

# The knowledge base.
urlpatterns += [
    path("kb/", kb_views.kb_search_page, name="kb_search"),
    path("kb/suggest", kb_views.kb_suggest_json, name="kb_suggest"),
    path("kb/<slug:slug>/", kb_views.kb_article, name="kb_article"),
]
