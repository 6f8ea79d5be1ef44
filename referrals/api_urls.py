"""/api/v1/referrals/ and /api/v1/lists/ (mounted before the directory API's own urls)."""

from rest_framework.routers import SimpleRouter

from referrals.api import ReferralViewSet, ResourceListViewSet

app_name = "referrals-api"

router = SimpleRouter()
router.register("referrals", ReferralViewSet, basename="referral")
router.register("lists", ResourceListViewSet, basename="list")

urlpatterns = router.urls
