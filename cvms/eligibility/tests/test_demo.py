from cvms.demo.seed import seed_demo_everywhere
from cvms.eligibility.models import EligibilityAnswers, GroupCriterion, VaccineGroup


def test_the_demo_has_north_carolinas_groups_open_up_to_group_4_and_rosa_in_group_3(reference_data):
    seed_demo_everywhere()
    assert list(VaccineGroup.objects.values_list("order", "is_open")) == [
        (1, True), (2, True), (3, True), (4, True), (5, False)]
    for record in [*VaccineGroup.objects.all(), *GroupCriterion.objects.all()]:
        record.full_clean()
    rosa = EligibilityAnswers.objects.select_related("group").get(recipient__user__email="recipient@example.com")
    assert rosa.group.order == 3


def test_seeding_the_demo_twice_changes_no_group(reference_data):
    seed_demo_everywhere()
    before = (list(VaccineGroup.objects.values()), list(GroupCriterion.objects.values()),
              list(EligibilityAnswers.objects.values()))
    seed_demo_everywhere()
    assert (list(VaccineGroup.objects.values()), list(GroupCriterion.objects.values()),
            list(EligibilityAnswers.objects.values())) == before
