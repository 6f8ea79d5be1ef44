"""The small HSDS tables read into memory before the main ones: taxonomy terms, flags,
eligibility, costs, service areas, addresses, and which services are at which locations."""

from collections import defaultdict

from providers.hsds import FLAG_CONFIDENTIAL, FLAG_SAMPLE
from providers.importers import hsds_links
from providers.importers import normalise as norm


def first(row: dict, *names: str) -> str:
    """The first non-empty value among column names (layouts name the same field apart)."""
    for name in names:
        value = row.get(name)
        if value is not None and not norm.is_empty(value):
            return value
    return ""


def read_lookups(imp) -> None:
    pkg = imp.pkg
    taxonomies = {
        r.get("id", "").strip(): r.get("name", "").strip() for _, r in pkg.rows("taxonomies.csv")
    }
    imp.terms: dict[str, tuple[str, str, str]] = {}
    for _, r in pkg.rows("taxonomy_terms.csv"):
        taxonomy = taxonomies.get(r.get("taxonomy_id", "").strip()) or r.get("taxonomy", "")
        imp.terms[r.get("id", "").strip()] = (
            taxonomy.strip(),
            r.get("code", "").strip(),
            norm.text(r.get("name"))[0],
        )
    for _, r in pkg.rows("taxonomy.csv"):  # 1.x/2.0: the id is often the AIRS code
        imp.terms[r.get("id", "").strip()] = (
            first(r, "vocabulary", "taxonomy").strip(),
            r.get("id", "").strip(),
            norm.text(r.get("name"))[0],
        )
    imp.confidential_locations, imp.sample_orgs = set(), set()
    for _, r in pkg.rows("attributes.csv"):
        _, code, name = imp.terms.get(r.get("taxonomy_term_id", "").strip(), ("", "", ""))
        if FLAG_CONFIDENTIAL in (code, name):
            imp.confidential_locations.add(r.get("link_id", "").strip())
        elif FLAG_SAMPLE in (code, name):
            imp.sample_orgs.add(r.get("link_id", "").strip())
    imp.service_texts: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for _, r in pkg.rows("cost_options.csv"):
        texts = imp.service_texts[r.get("service_id", "").strip()]
        texts["cost"].append(
            " ".join(filter(None, (r.get("option", ""), r.get("amount_description", ""))))
        )
        if (r.get("amount") or "").strip() not in {"", "0", "0.0", "0.00"}:
            texts["cost"].append("fee")
    _read_addresses(imp)
    _read_pairs(imp)
    for _, r in pkg.rows("service_areas.csv"):
        # HSDS 3.1 may key an area by its service at location instead of its service.
        service = r.get("service_id", "").strip() or imp.sal_service.get(
            r.get("service_at_location_id", "").strip(), ""
        )
        imp.service_texts[service]["area"].extend(
            [
                r.get("name", ""),
                r.get("extent", "") if (r.get("extent_type") or "text").lower() == "text" else "",
            ]
        )
    _read_eligibility(imp)
    hsds_links.read_schedules(imp)


def _read_eligibility(imp) -> None:
    """eligibility.csv rows by service_id, or by service_at_location_id or location_id as some
    exports key them (then for every service there). A row for no service is reported."""
    imp.eligibility_rows: dict[str, list[int]] = defaultdict(list)
    for number, r in imp.pkg.rows("eligibility.csv"):
        text = first(r, "eligibility", "eligibility_description", "description")
        if norm.is_empty(text):
            continue
        sal, loc = r.get("service_at_location_id", "").strip(), r.get("location_id", "").strip()
        services = (
            [r.get("service_id", "").strip()]
            if r.get("service_id", "").strip()
            else [imp.sal_service[sal]]
            if sal in imp.sal_service
            else imp.location_services.get(loc, [])
        )
        if not services:
            imp.report.warn(
                "eligibility.csv", number, "eligibility for no service in this package; ignored"
            )
        for service in services:
            imp.service_texts[service]["eligibility"].append(text)
            imp.eligibility_rows[service].append(number)


def _read_addresses(imp) -> None:
    imp.addresses: dict[str, tuple] = {}
    files = (
        ("addresses.csv", None),
        ("physical_addresses.csv", "physical"),
        ("postal_addresses.csv", "postal"),
    )
    for file, kind in files:
        for number, r in imp.pkg.rows(file):
            loc = r.get("location_id", "").strip()
            address_type = (kind or r.get("address_type") or "physical").strip().lower()
            if not loc or address_type == "virtual":
                continue
            rank = 0 if address_type == "physical" else 1
            if loc in imp.addresses and imp.addresses[loc][0] <= rank:
                continue
            line_2 = ", ".join(
                filter(
                    None,
                    (
                        r.get("address_2", "").strip(),
                        r.get("address_3", "").strip(),
                        r.get("address_4", "").strip(),
                    ),
                )
            )
            imp.addresses[loc] = (
                rank,
                r.get("address_1", ""),
                line_2,
                r.get("city", ""),
                first(r, "state_province", "state"),
                first(r, "postal_code", "zip"),
                r.get("country", ""),
                file,
                number,
            )


def _read_pairs(imp) -> None:
    """service_at_location (either spelling), and 1.x services.csv location_id."""
    imp.pairs: list[tuple] = []  # (file, row, sal id, service sid, location sid, text)
    imp.location_services: dict[str, list[str]] = defaultdict(list)
    imp.sal_location: dict[str, str] = {}
    imp.sal_service: dict[str, str] = {}
    for file in ("service_at_location.csv", "services_at_location.csv"):
        for number, r in imp.pkg.rows(file):
            sal, svc, loc = (r.get(k, "").strip() for k in ("id", "service_id", "location_id"))
            imp.pairs.append((file, number, sal, svc, loc, r.get("description", "")))
    if "location_id" in imp.pkg.headers("services.csv"):
        for number, r in imp.pkg.rows("services.csv"):
            svc, loc = r.get("id", "").strip(), r.get("location_id", "").strip()
            if svc and loc:
                imp.pairs.append(("services.csv", number, "", svc, loc, ""))
    for _, _, sal, svc, loc, _ in imp.pairs:
        imp.location_services[loc].append(svc)
        if sal:
            imp.sal_location[sal], imp.sal_service[sal] = loc, svc
