"""Knowledge base articles, searched in English and Spanish without regard to accents.

``kb_english`` and ``kb_spanish`` are the stock configurations with the ``unaccent`` dictionary in
front of the stemmer, so "vacunacion" finds "vacunación" and the snippet still marks the accented
word. ``kb_unaccent`` is ``unaccent`` named in full (so immutable), for comparing titles by trigrams.
"""

import django.contrib.postgres.indexes
import django.contrib.postgres.search
from django.db import migrations, models

SEARCH_SQL = r"""
CREATE OR REPLACE FUNCTION kb_unaccent(text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
AS $$ SELECT public.unaccent('public.unaccent'::regdictionary, $1) $$;
CREATE TEXT SEARCH CONFIGURATION kb_english (COPY = pg_catalog.english);
ALTER TEXT SEARCH CONFIGURATION kb_english
    ALTER MAPPING FOR hword, hword_part, word WITH public.unaccent, english_stem;
CREATE TEXT SEARCH CONFIGURATION kb_spanish (COPY = pg_catalog.spanish);
ALTER TEXT SEARCH CONFIGURATION kb_spanish
    ALTER MAPPING FOR hword, hword_part, word WITH public.unaccent, spanish_stem;
"""
UNDO_SQL = """
DROP TEXT SEARCH CONFIGURATION IF EXISTS kb_spanish;
DROP TEXT SEARCH CONFIGURATION IF EXISTS kb_english;
DROP FUNCTION IF EXISTS kb_unaccent(text);
"""


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ("recipients", "0004_checkin_search"),  # the unaccent extension
        ("core", "0003_audit_search"),  # the pg_trgm extension (the typo fallback on titles)
    ]

    operations = [
        migrations.RunSQL(SEARCH_SQL, UNDO_SQL),
        migrations.CreateModel(
            name='KnowledgeArticle',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('slug', models.SlugField(help_text="The article's address: lower-case letters, digits and hyphens.", max_length=80, unique=True, verbose_name='address')),
                ('audience', models.CharField(choices=[('everyone', 'Everyone'), ('provider', 'Vaccine providers'), ('recipient', 'Vaccine recipients'), ('organization', 'Organizations')], default='everyone', max_length=20, verbose_name='audience')),
                ('published', models.BooleanField(default=False, help_text='Only published articles are searched and shown.', verbose_name='published')),
                ('title_en', models.CharField(max_length=200, verbose_name='title (English)')),
                ('body_en', models.CharField(help_text='Plain text or Markdown: lists, bold, links. HTML is not kept.', max_length=10000, verbose_name='answer (English)')),
                ('title_es', models.CharField(max_length=200, verbose_name='title (Spanish)')),
                ('body_es', models.CharField(help_text='Plain text or Markdown: lists, bold, links. HTML is not kept.', max_length=10000, verbose_name='answer (Spanish)')),
                ('plain_en', models.CharField(default='', editable=False, max_length=10000)),
                ('plain_es', models.CharField(default='', editable=False, max_length=10000)),
                ('search_en', models.GeneratedField(db_persist=True, expression=django.contrib.postgres.search.CombinedSearchVector(django.contrib.postgres.search.SearchVector('title_en', config='kb_english', weight='A'), '||', django.contrib.postgres.search.SearchVector('plain_en', config='kb_english', weight='B'), django.contrib.postgres.search.SearchConfig('kb_english')), output_field=django.contrib.postgres.search.SearchVectorField())),
                ('search_es', models.GeneratedField(db_persist=True, expression=django.contrib.postgres.search.CombinedSearchVector(django.contrib.postgres.search.SearchVector('title_es', config='kb_spanish', weight='A'), '||', django.contrib.postgres.search.SearchVector('plain_es', config='kb_spanish', weight='B'), django.contrib.postgres.search.SearchConfig('kb_spanish')), output_field=django.contrib.postgres.search.SearchVectorField())),
                ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='created')),
                ('updated_at', models.DateTimeField(auto_now=True, verbose_name='updated')),
            ],
            options={
                'verbose_name': 'knowledge base article',
                'verbose_name_plural': 'knowledge base articles',
                'ordering': ['title_en'],
                'indexes': [django.contrib.postgres.indexes.GinIndex(fields=['search_en'], name='kb_article_search_en_idx'), django.contrib.postgres.indexes.GinIndex(fields=['search_es'], name='kb_article_search_es_idx')],
                'constraints': [models.CheckConstraint(condition=models.Q(models.Q(('title_en', ''), _negated=True), models.Q(('title_es', ''), _negated=True)), name='kb_article_titles_not_empty'), models.CheckConstraint(condition=models.Q(('audience__in', ['everyone', 'provider', 'recipient', 'organization'])), name='kb_article_audience_known')],
            },
        ),
    ]
