from django.urls import path

from provider_portal import (
    bulk_views,
    dashboard_views,
    marketplace_views,
    stock_views,
    transfer_views,
    vaccines_gov_views,
    views,
)

app_name = "provider_portal"
bulk = "locations/<int:location_id>/bulk/"
upload = bulk + "uploads/<int:upload_id>/"
stock = "locations/<int:location_id>/inventory/"
lot = stock + "lots/<int:lot_id>/"
transfer = "locations/<int:location_id>/transfers/<int:transfer_id>/"
urlpatterns = [
    path("", views.home, name="home"),
    path("locations/<int:location_id>/", views.location_detail, name="location"),
    path("locations/<int:location_id>/dashboard/", dashboard_views.location_dashboard, name="dashboard"),
    path("locations/<int:location_id>/dashboard/<slug:figure>.csv", dashboard_views.location_dashboard_csv,
         name="dashboard_csv"),
    path("organizations/<int:organization_id>/dashboard/", dashboard_views.organization_dashboard,
         name="organization_dashboard"),
    path("organizations/<int:organization_id>/dashboard/<slug:figure>.csv", dashboard_views.organization_dashboard_csv,
         name="organization_dashboard_csv"),
    path("bulk-template.csv", bulk_views.bulk_template, {"fmt": "csv"}, name="bulk_template_csv"),
    path("bulk-template.xlsx", bulk_views.bulk_template, {"fmt": "xlsx"}, name="bulk_template_xlsx"),
    path(bulk, bulk_views.bulk_home, name="bulk"),
    path(bulk + "low-volume/", bulk_views.bulk_low_volume, name="bulk_low_volume"),
    path(bulk + "high-volume/", bulk_views.bulk_high_volume, name="bulk_high_volume"),
    path(bulk + "uploads/", bulk_views.bulk_history, name="bulk_history"),
    path(upload, bulk_views.bulk_upload_detail, name="bulk_upload"),
    path(upload + "preview/", bulk_views.bulk_preview, name="bulk_preview"),
    path(upload + "cancel/", bulk_views.bulk_cancel, name="bulk_cancel"),
    path(upload + "create/", bulk_views.bulk_create_records, name="bulk_create"),
    path(upload + "progress/", bulk_views.bulk_progress, name="bulk_progress"),
    path(upload + "failed-records.csv", bulk_views.bulk_failed_records, {"fmt": "csv"}, name="bulk_failed_csv"),
    path(upload + "failed-records.xlsx", bulk_views.bulk_failed_records, {"fmt": "xlsx"}, name="bulk_failed_xlsx"),
    # Vaccines.gov settings
    path("locations/<int:location_id>/vaccines-gov/", vaccines_gov_views.vaccines_gov_settings, name="vaccines_gov"),
    # Stock: inventory, receive by barcode, a lot's history, wastage, returns, adjustments, corrections.
    path(stock, stock_views.inventory, name="inventory"),
    path(stock + "receive/", stock_views.receive, name="receive"),
    path(stock + "receive/scan/", stock_views.receive_scan, name="receive_scan"),
    path(lot, stock_views.lot_detail, name="lot"),
    path(lot + "waste/", stock_views.lot_waste_view, name="lot_waste"),
    path(lot + "return/", stock_views.lot_return_view, name="lot_return"),
    path(lot + "adjust/", stock_views.lot_adjust_view, name="lot_adjust"),
    path(lot + "entries/<int:entry_id>/correct/", stock_views.entry_correct, name="entry_correct"),
]

# The Vaccine Marketplace tab.
marketplace = "locations/<int:location_id>/marketplace/"
urlpatterns += [
    path(marketplace, marketplace_views.marketplace, name="marketplace"),
    path(marketplace + "offers/new/", marketplace_views.marketplace_offer_new, name="marketplace_offer_new"),
    path(marketplace + "offers/", marketplace_views.marketplace_offers, name="marketplace_offers"),
    path(marketplace + "offers/<int:offer_id>/request/", marketplace_views.marketplace_request_new,
         name="marketplace_request_new"),
    path(marketplace + "offers/<int:offer_id>/withdraw/", marketplace_views.marketplace_offer_withdraw,
         name="marketplace_offer_withdraw"),
    path(marketplace + "requests/", marketplace_views.marketplace_requests, name="marketplace_requests"),
    path(marketplace + "requests/<int:request_id>/accept/", marketplace_views.marketplace_request_accept,
         name="marketplace_request_accept"),
    path(marketplace + "requests/<int:request_id>/decline/", marketplace_views.marketplace_request_decline,
         name="marketplace_request_decline"),
    path(marketplace + "requests/<int:request_id>/withdraw/", marketplace_views.marketplace_request_withdraw,
         name="marketplace_request_withdraw"),
    # Transfers and redistributions, and the Immunization Branch's approval queue.
    path("locations/<int:location_id>/transfers/", transfer_views.transfers, name="transfers"),
    path("locations/<int:location_id>/transfers/new/", transfer_views.transfer_new, name="transfer_new"),
    path(transfer, transfer_views.transfer_detail, name="transfer"),
    path(transfer + "ship/", transfer_views.transfer_ship_view, name="transfer_ship"),
    path(transfer + "receive/", transfer_views.transfer_receive_view, name="transfer_receive"),
    path(transfer + "cancel/", transfer_views.transfer_cancel_view, name="transfer_cancel"),
    path("state/transfers/", transfer_views.state_transfers, name="state_transfers"),
    path("state/transfers/<int:transfer_id>/decide/", transfer_views.state_transfer_decide,
         name="state_transfer_decide"),
]

# The clinic floor: check-in, walk-ins and recipient look-up; doses given; account history; paper forms.
from provider_portal import checkin_views, dose_views, history_views, paper_views  # noqa: E402

clinic = "locations/<int:location_id>/"
urlpatterns += [
    path(clinic + "check-in/", checkin_views.checkin, name="checkin"),
    path(clinic + "recipients/<int:recipient_id>/", checkin_views.recipient_detail, name="recipient"),
    path(clinic + "recipients/<int:recipient_id>/doses/new/", dose_views.dose_new, name="dose_new"),
    path(clinic + "doses/<int:immunization_id>/", dose_views.dose_detail, name="dose"),
    path(clinic + "doses/<int:immunization_id>/correct/", dose_views.dose_correct, name="dose_correct"),
    path(clinic + "doses/<int:immunization_id>/entered-in-error/", dose_views.dose_entered_in_error,
         name="dose_entered_in_error"),
    path(clinic + "doses/scan/", dose_views.dose_scan, name="dose_scan"),
    path(clinic + "doses/paper/next/", dose_views.paper_next, name="paper_next"),
    path(clinic + "account-history/", history_views.account_history, name="account_history"),
    path(clinic + "paper-forms/", paper_views.paper_forms, name="paper_forms"),
    path(clinic + "check-in/walk-in/", checkin_views.walk_in, name="walk_in"),
    path(clinic + "recipients/<int:recipient_id>/check-in/", checkin_views.checkin_add, name="checkin_add"),
    path(clinic + "check-in/<int:checkin_id>/left/", checkin_views.checkin_left, name="checkin_left"),
    path(clinic + "account-history/export.csv", history_views.account_history_csv, name="account_history_csv"),
    path(clinic + "paper-forms/<slug:language>/registration.pdf", paper_views.paper_form, {"form": "registration"},
         name="paper_form_registration"),
    path(clinic + "paper-forms/<slug:language>/inventory-levels.pdf", paper_views.paper_form,
         {"form": "inventory-levels"}, name="paper_form_inventory_levels"),
]

# Appointments: a location's schedules and self-scheduling, and the day's appointment list.
from provider_portal import appointment_views, schedule_views  # noqa: E402

urlpatterns += [
    path(clinic + "schedules/", schedule_views.schedules, name="schedules"),
    path(clinic + "appointments/", appointment_views.appointments_day, name="appointments_day"),
    path(clinic + "schedules/self-scheduling/", schedule_views.self_scheduling, name="self_scheduling"),
    path(clinic + "schedules/day/", schedule_views.schedule_day, name="schedule_day"),
    path(clinic + "appointments/book/", appointment_views.appointment_book_view, name="appointment_book"),
    path(clinic + "appointments/<int:appointment_id>/check-in/", appointment_views.appointment_check_in_view,
         name="appointment_check_in"),
    path(clinic + "appointments/<int:appointment_id>/cancel/", appointment_views.appointment_cancel_view,
         name="appointment_cancel"),
    path(clinic + "appointments/<int:appointment_id>/no-show/", appointment_views.appointment_no_show_view,
         name="appointment_no_show"),
    path(clinic + "appointments/<int:appointment_id>/reschedule/", appointment_views.appointment_reschedule_view,
         name="appointment_reschedule"),
]
