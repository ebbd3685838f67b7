"""The state's rollups of doses given, kept by the database itself (``rollup_sql.py``): triggers on
immunizations and on recipients' demographics add a row of differences in the same transaction as
the change, so the sums can never drift from the doses; beat folds each day's rows into one per key
(``rollups.rollups_compact``), and readers sum whatever rows there are. The state's dashboard and
CSVs read them instead of joining two million doses to their people."""

from django.db import models
from django.db.models import Q


class DoseRollup(models.Model):
    """Doses given a day, per location and product: how many, how many entered late
    (``LATE_ENTRY_HOURS``), and the seconds from giving to entering them, summed."""

    day = models.DateField()
    location = models.ForeignKey("organizations.Location", on_delete=models.DO_NOTHING, db_constraint=False,
                                 related_name="+")
    product = models.ForeignKey("inventory.VaccineProduct", on_delete=models.DO_NOTHING, db_constraint=False,
                                related_name="+")
    doses = models.IntegerField()
    late = models.IntegerField()
    lag_seconds = models.BigIntegerField()
    #: Added since the day was last folded.
    fresh = models.BooleanField(default=True)

    class Meta:
        indexes = [
            models.Index(fields=["day", "location"], name="doserollup_day_idx"),
            models.Index(fields=["day"], condition=Q(fresh=True), name="doserollup_fresh_idx"),
        ]


class DemographicRollup(models.Model):
    """Doses given a day in the whole state, per product and per value of one of the person's
    demographics: ``a`` age group (an index into ``AGE_BOUNDS``), ``s`` sex, ``e`` ethnicity,
    ``r`` race (a person of several races once under each, of none under UNK)."""

    day = models.DateField()
    product = models.ForeignKey("inventory.VaccineProduct", on_delete=models.DO_NOTHING, db_constraint=False,
                                related_name="+")
    dimension = models.CharField(max_length=1)
    value = models.CharField(max_length=6)
    doses = models.IntegerField()
    fresh = models.BooleanField(default=True)

    class Meta:
        indexes = [
            models.Index(fields=["day"], name="demorollup_day_idx"),
            models.Index(fields=["day"], condition=Q(fresh=True), name="demorollup_fresh_idx"),
        ]
