/* Optional vector basemap: the admin's own PMTiles file drawn by MapLibre GL, all from this site.
 * Off by default: the server-rendered SVG map needs no JavaScript. Only when an admin sets
 * MAP_VECTOR_STYLE_URL does the template add data-vector-style (and load the vendored MapLibre
 * CSP build, pmtiles and this file). Then the SVG is swapped for a MapLibre map with the same
 * numbered pins, taken from the data-pins JSON attribute: the points the SVG map shows, and no
 * other (a confidential place has no pin there, so none here either). Without WebGL, or when the
 * style cannot be loaded, the SVG map stays.
 *
 * Expected markup:
 *   <div data-result-map data-vector-style="/basemap/style.json"
 *        data-maplibre-worker="/static/directory/vendor/maplibre/maplibre-gl-csp-worker.js"
 *        data-pins='[{"lat":..,"lng":..,"number":1,"title":".."}]'>
 *     <svg ...>...</svg>
 *   </div>
 * The style's sources use pmtiles:///path/on/this/site.pmtiles; its glyphs and sprites, if any,
 * are on this site too (the Content-Security-Policy refuses anything else).
 */
(function () {
  "use strict";

  var protocolAdded = false;

  function pinElement(pin) {
    var el = document.createElement("button");
    el.type = "button";
    el.className = "vector-pin";
    el.textContent = String(pin.number); // never innerHTML: titles come from providers
    el.title = pin.number + ". " + pin.title;
    el.setAttribute("aria-label", el.title);
    el.addEventListener("click", function (event) {
      event.stopPropagation();
      // As the SVG map's pins do (site.js): show this place's card in the list.
      var item = document.getElementById("result-" + pin.number);
      if (!item) { return; }
      var section = el.closest("[data-view-choice]");
      if (section && section.showView) { section.showView("list"); }
      item.scrollIntoView();
      var link = item.querySelector("h3 a");
      if (link) { link.focus(); }
    });
    return el;
  }

  function upgrade(box) {
    var maplibregl = window.maplibregl;
    var pins;
    try {
      pins = JSON.parse(box.getAttribute("data-pins") || "[]");
    } catch (err) {
      return; // keep the SVG map
    }
    pins = pins.filter(function (pin) {
      return typeof pin.lat === "number" && typeof pin.lng === "number";
    });
    var svg = box.querySelector("svg");
    var holder = document.createElement("div");
    var height = svg ? svg.getBoundingClientRect().height : 0;
    holder.className = "vector-map";
    holder.style.height = Math.max(height, 280) + "px";
    holder.setAttribute("role", "region");
    holder.setAttribute("aria-label", svg && svg.querySelector("title") ?
      svg.querySelector("title").textContent : "Map");
    box.insertBefore(holder, svg || null);

    function keepSvg() {
      if (holder.parentNode) { holder.parentNode.removeChild(holder); }
      if (svg) { svg.style.display = ""; }
    }

    // MapLibre's own labels, in the page's language (the template translates them).
    var labels = {
      "NavigationControl.ZoomIn": box.getAttribute("data-zoom-in"),
      "NavigationControl.ZoomOut": box.getAttribute("data-zoom-out"),
      "AttributionControl.ToggleAttribution": box.getAttribute("data-map-credits"),
      "Map.Title": holder.getAttribute("aria-label")
    };
    var locale = {};
    Object.keys(labels).forEach(function (key) {
      if (labels[key]) { locale[key] = labels[key]; }
    });
    var map;
    try {
      map = new maplibregl.Map({
        container: holder,
        style: box.getAttribute("data-vector-style"),
        center: [-98.35, 39.5],
        zoom: 3,
        scrollZoom: false,
        locale: locale,
        attributionControl: { compact: true }
      });
    } catch (err) {
      keepSvg(); // no WebGL: the SVG map is the map
      return;
    }
    if (svg) { svg.style.display = "none"; }
    var loaded = false;
    map.on("error", function () {
      if (!loaded) {
        map.remove();
        keepSvg(); // the style did not load: back to the SVG map
      }
    });
    map.on("load", function () { loaded = true; });
    map.addControl(new maplibregl.NavigationControl({ showCompass: false }), "top-right");

    // Pin 1 is added last, so it is drawn on top, as in the SVG.
    for (var i = pins.length - 1; i >= 0; i--) {
      new maplibregl.Marker({ element: pinElement(pins[i]), anchor: "center" })
        .setLngLat([pins[i].lng, pins[i].lat])
        .addTo(map);
    }
    if (pins.length) {
      var bounds = new maplibregl.LngLatBounds();
      pins.forEach(function (pin) { bounds.extend([pin.lng, pin.lat]); });
      var moved = false;
      var fit = function () {
        // A map hidden at first (the list view on a phone) has no size yet: fit it again when
        // it is shown or resized, until the reader moves it.
        if (!moved && holder.clientWidth && holder.clientHeight) {
          map.fitBounds(bounds, { padding: 36, maxZoom: 13, animate: false });
        }
      };
      map.on("movestart", function (event) { if (event.originalEvent) { moved = true; } });
      map.on("zoomstart", function (event) { if (event.originalEvent) { moved = true; } });
      map.on("resize", fit);
      fit();
    }
  }

  function init() {
    var maplibregl = window.maplibregl;
    if (!maplibregl || !window.pmtiles) {
      return; // the libraries did not load: the SVG map stays, which is fine
    }
    var boxes = document.querySelectorAll("[data-result-map][data-vector-style]");
    if (!boxes.length) { return; }
    // The CSP build's worker is a file on this site: no blob: worker, no eval.
    maplibregl.setWorkerUrl(boxes[0].getAttribute("data-maplibre-worker"));
    if (!protocolAdded) {
      maplibregl.addProtocol("pmtiles", new window.pmtiles.Protocol().tile);
      protocolAdded = true;
    }
    for (var i = 0; i < boxes.length; i++) {
      if (boxes[i].getAttribute("data-vector-style")) {
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
