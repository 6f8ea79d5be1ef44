/* Resource Map: the only script. Every page works without it; it adds Quick exit keys,
   "use my location", focus after a search, print, and a small map hook. No framework. */
(function () {
  "use strict";
  var root = document.documentElement;
  var exitLink = document.querySelector("[data-quick-exit]");

  /* --- Quick exit: hide at once, then replace this page so Back does not return to it. --- */
  function quickExit(event) {
    if (event) { event.preventDefault(); }
    root.classList.add("exiting");
    document.title = "";
    var target = exitLink ? exitLink.href : "about:blank";
    window.location.replace(target);
  }

  var shiftCount = 0;
  var shiftTimer = null;
  function resetShift() {
    shiftCount = 0;
    if (shiftTimer) { clearTimeout(shiftTimer); shiftTimer = null; }
  }

  if (exitLink) {
    exitLink.addEventListener("click", quickExit);
    document.addEventListener("keydown", function (event) {
      if (event.key === "Escape" || event.key === "Esc") {
        quickExit(event);
        return;
      }
      if (event.key === "Shift" && !event.repeat && !event.ctrlKey && !event.altKey && !event.metaKey) {
        shiftCount += 1;
        if (shiftTimer) { clearTimeout(shiftTimer); }
        // Three presses with no more than 5 seconds between them (as GOV.UK "Exit this page").
        shiftTimer = setTimeout(resetShift, 5000);
        if (shiftCount >= 3) {
          resetShift();
          quickExit(event);
        }
        return;
      }
      resetShift();
    }, true);
  }

  // Restored from the back-forward cache: show the page again and start counting afresh.
  window.addEventListener("pageshow", function (event) {
    if (event.persisted) {
      root.classList.remove("exiting");
      resetShift();
    }
  });

  /* --- Elements only useful with JavaScript. --- */
  Array.prototype.forEach.call(document.querySelectorAll("[data-js-only]"), function (el) {
    el.hidden = false;
  });

  /* --- Use my location: coordinates rounded to about 100 m, sent with the GET form only. --- */
  var locate = document.querySelector("[data-locate]");
  if (locate && "geolocation" in navigator) {
    var form = locate.form;
    var status = document.querySelector("[data-locate-status]");
    var lat = form.querySelector("[data-lat]");
    var lng = form.querySelector("[data-lng]");
    var near = form.querySelector("input[name=near]");
    locate.hidden = false;
    near.addEventListener("input", function () { lat.value = ""; lng.value = ""; });
    // Empty coordinates stay out of the address bar.
    form.addEventListener("submit", function () {
      lat.disabled = !lat.value;
      lng.disabled = !lng.value;
    });
    locate.addEventListener("click", function () {
      status.textContent = locate.getAttribute("data-msg-finding");
      navigator.geolocation.getCurrentPosition(function (position) {
        lat.value = position.coords.latitude.toFixed(3);
        lng.value = position.coords.longitude.toFixed(3);
        near.value = "";
        form.submit();
      }, function (error) {
        status.textContent = locate.getAttribute(
          error.code === 1 ? "data-msg-denied" : "data-msg-failed");
      }, { enableHighAccuracy: false, timeout: 15000, maximumAge: 600000 });
    });
  }

  /* --- After a search, move focus to the errors or the results heading. --- */
  var focusTarget = document.querySelector("[data-focus-on-load]");
  if (focusTarget && window.location.search) {
    focusTarget.focus();
  }

  /* --- Print button on the provider page. --- */
  Array.prototype.forEach.call(document.querySelectorAll("[data-print]"), function (button) {
    button.hidden = false;
    button.addEventListener("click", function () { window.print(); });
  });

  /* --- List or map (phones): the two links switch views; wide screens show both. --- */
  Array.prototype.forEach.call(document.querySelectorAll("[data-view-choice]"), function (section) {
    var links = section.querySelectorAll(".view-choice [data-view]");
    function show(view) {
      section.classList.toggle("show-map", view === "map");
      if (view === "map") { window.dispatchEvent(new Event("resize")); } // an optional tile map re-measures
      section.classList.toggle("show-list", view === "list");
      Array.prototype.forEach.call(links, function (link) {
        if (link.getAttribute("data-view") === view) {
          link.setAttribute("aria-current", "true");
        } else {
          link.removeAttribute("aria-current");
        }
      });
    }
    Array.prototype.forEach.call(links, function (link) {
      link.addEventListener("click", function (event) {
        event.preventDefault();
        show(link.getAttribute("data-view"));
      });
    });
    section.showView = show;
    show("list");
  });

  /* --- Map: a cluster opens (its pins fan out) when tapped; a pin shows its card. --- */
  Array.prototype.forEach.call(document.querySelectorAll(".map svg"), function (svg) {
    svg.addEventListener("click", function (event) {
      if (!event.target.closest) { return; }
      var badge = event.target.closest(".cluster-badge");
      if (badge) {
        var cluster = badge.closest("[data-cluster]");
        var open = !cluster.classList.contains("expanded");
        Array.prototype.forEach.call(svg.querySelectorAll(".expanded"), function (other) {
          other.classList.remove("expanded");
        });
        cluster.classList.toggle("expanded", open);
        cluster.parentNode.appendChild(cluster); // drawn last: its pins above the others
        return;
      }
      var pin = event.target.closest("[data-result]");
      var item = pin ? document.getElementById("result-" + pin.getAttribute("data-result")) : null;
      if (item) {
        var section = svg.closest("[data-view-choice]");
        if (section && section.showView) { section.showView("list"); }
        item.scrollIntoView();
        var link = item.querySelector("h3 a");
        if (link) { link.focus(); }
      }
    });
  });
}());
