/* Optional tile map. Off by default: the server-rendered SVG map needs no JavaScript and makes
 * no third-party request. Only when an admin sets MAP_TILE_URL does the template add
 * data-tile-url (and load Leaflet and this file); then the SVG is swapped for a Leaflet map of
 * the same numbered pins, taken from the data-pins JSON attribute.
 *
 * Expected markup:
 *   <div data-result-map data-tile-url="https://tiles.example/{z}/{x}/{y}.png"
 *        data-tile-attribution="© ..." data-pins='[{"lat":..,"lng":..,"number":1,"title":".."}]'>
 *     <svg ...>...</svg>
 *   </div>
 */
(function () {
  "use strict";

  function pinIcon(number) {
    var el = document.createElement("span");
    el.textContent = String(number); // never innerHTML: titles come from providers
    el.style.cssText =
      "display:flex;align-items:center;justify-content:center;width:26px;height:26px;" +
      "border-radius:50%;background:#1d4ed8;color:#fff;border:2px solid #fff;" +
      "box-shadow:0 1px 3px rgba(0,0,0,.4);font:700 13px/1 system-ui,sans-serif;" +
      "box-sizing:border-box";
    return window.L.divIcon({ html: el, className: "", iconSize: [26, 26], iconAnchor: [13, 13] });
  }

  function escapeHtml(text) {
    // Leaflet shows attributions as HTML; the setting is plain text.
    return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;")
      .replace(/"/g, "&quot;");
  }

  function upgrade(box) {
    var L = window.L;
    var pins;
    try {
      pins = JSON.parse(box.getAttribute("data-pins") || "[]");
    } catch (err) {
      return; // keep the SVG map
    }
    var svg = box.querySelector("svg");
    var holder = document.createElement("div");
    var height = svg ? svg.getBoundingClientRect().height : 0;
    holder.style.height = Math.max(height, 280) + "px";
    holder.setAttribute("role", "region");
    holder.setAttribute("aria-label", svg && svg.querySelector("title") ?
      svg.querySelector("title").textContent : "Map");
    box.insertBefore(holder, svg || null);

    var map = L.map(holder, { scrollWheelZoom: false });
    L.tileLayer(box.getAttribute("data-tile-url"), {
      attribution: escapeHtml(box.getAttribute("data-tile-attribution") || ""),
      maxZoom: 18,
      referrerPolicy: "no-referrer"
    }).addTo(map);

    var points = [];
    pins.forEach(function (pin) {
      if (typeof pin.lat !== "number" || typeof pin.lng !== "number") {
        return;
      }
      var label = pin.number + ". " + pin.title;
      // Leaflet sets title as an attribute (text, not HTML).
      L.marker([pin.lat, pin.lng], {
        icon: pinIcon(pin.number),
        title: label,
        zIndexOffset: -pin.number // pin 1 on top, as in the SVG
      }).addTo(map);
      points.push([pin.lat, pin.lng]);
    });
    if (points.length) {
      map.fitBounds(points, { padding: [30, 30], maxZoom: 13 });
    } else {
      map.setView([39.5, -98.35], 3);
    }
    if (svg) {
      svg.remove();
    }
  }

  function init() {
    if (!window.L) {
      return; // Leaflet not loaded: the SVG map stays, which is fine
    }
    var boxes = document.querySelectorAll("[data-result-map][data-tile-url]");
    for (var i = 0; i < boxes.length; i++) {
      if (boxes[i].getAttribute("data-tile-url")) {
        upgrade(boxes[i]);
      }
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
