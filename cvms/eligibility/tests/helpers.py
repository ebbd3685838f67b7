from cvms.eligibility.models import GroupCriterion, VaccineGroup


def make_group(order: int, *criteria: dict, is_open: bool = False, name: str = "", name_es: str = "") -> VaccineGroup:
    """A group with ``criteria`` (field values of each ``GroupCriterion``), open or not."""
    from django.utils import timezone

    group = VaccineGroup.objects.create(order=order, name_en=name or f"Group {order}",
                                        name_es=name_es or f"Grupo {order}", is_open=is_open,
                                        opened_at=timezone.now() if is_open else None)
    for fields in criteria:
        GroupCriterion.objects.create(group=group, **fields)
    return group


def nc_groups() -> list[VaccineGroup]:
    """North Carolina's 2021 groups as the demo seeds them (1 to 4 open)."""
    from cvms.demo.groups import GROUPS

    return [make_group(order, *criteria, is_open=is_open, name=name_en, name_es=name_es)
            for order, name_en, name_es, is_open, criteria in GROUPS]
