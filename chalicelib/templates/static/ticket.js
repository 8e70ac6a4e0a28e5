/* A case page opened with its tracking link (the secret in the fragment, never sent to a server
   log): rate the reply, add information or photos while the case is open. Read on every
   navigation, not only at load, so a link followed from the page itself works too. */
"use strict";
(function () {
  var data = JSON.parse(document.getElementById("page-data").textContent);
  var m = data.messages;
  recount(data.countdown);
  var box = document.getElementById("track");
  if (!box) { return; }  // a finished case: nothing to add or rate
  var error = document.getElementById("track-error");
  var done = document.getElementById("track-done");
  // The countdown to the deadline. The page is rendered when the case changes and read on later
  // days, so it is counted again here from the working days the page carries (the city's calendar,
  // holidays and make-up days included); past them, Monday to Friday count.
  function recount(c) {
    var figure = document.getElementById("countdown"), panel = document.getElementById("deadline");
    if (!c || !figure || !panel) { return; }
    var listed = {};
    c.workdays.forEach(function (day) { listed[day] = true; });
    var first = c.workdays[0], last = c.horizon;
    function iso(d) { return d.toISOString().slice(0, 10); }
    function working(day) {
      if (first && last && day >= first && day <= last) { return listed[day] === true; }
      var weekday = new Date(day + "T00:00:00Z").getUTCDay();
      return weekday > 0 && weekday < 6;
    }
    // Working days after `after`, up to and including `through`.
    function count(after, through) {
      var n = 0, d = new Date(after + "T00:00:00Z"), end = new Date(through + "T00:00:00Z");
      for (var i = 0; i < 4000 && d < end; i++) {
        d.setUTCDate(d.getUTCDate() + 1);
        if (working(iso(d))) { n++; }
      }
      return n;
    }
    var parts = {};
    new Intl.DateTimeFormat("en", { timeZone: "Asia/Shanghai", year: "numeric", month: "2-digit", day: "2-digit" })
      .formatToParts(new Date()).forEach(function (p) { parts[p.type] = p.value; });
    var today = parts.year + "-" + parts.month + "-" + parts.day;
    var late = Date.now() >= Date.parse(c.due), n;
    if (late) {
      n = count(c.last_day, today);
      figure.textContent = n === 0 ? m.late : n === 1 ? m.days_late_one : m.days_late.replace("{n}", n);
    } else {
      n = count(today, c.last_day);
      figure.textContent = n === 0 ? m.due_today : n === 1 ? m.days_left_one : m.days_left.replace("{n}", n);
    }
    panel.classList.toggle("late", late);
  }
  function secret() {
    var match = /[#&]k=([^&]+)/.exec(location.hash);
    return match ? decodeURIComponent(match[1]) : null;
  }
  function show() { box.hidden = !secret(); }
  function say(node, message) { error.hidden = true; done.hidden = true; node.textContent = message; node.hidden = false; }
  // What went wrong, in the page's words (the server's own text only for a refusal it worded).
  var worded = { 400: m.invalid_input, 403: m.link_invalid, 404: m.link_invalid, 409: m.closed };
  function post(path, body) {
    body.secret = secret();
    return fetch(data.api + "/tickets/" + data.number + path + "?lang=" + encodeURIComponent(document.documentElement.lang), {
      method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body)
    }).then(function (r) {
      return r.json().catch(function () { return {}; }).then(function (j) {
        if (!r.ok) { throw new Error(worded[r.status] || j.message || m.try_again); }
        return j;
      });
    });
  }
  function upload(file) { return window.mashangUpload(data.api, "/uploads", file, null, m.upload_failed, true); }
  window.addEventListener("hashchange", show);
  show();
  var rate = document.getElementById("rate");
  if (rate) {
    rate.querySelectorAll("button[data-rating]").forEach(function (button) {
      button.addEventListener("click", function () {
        post("/rating", { rating: button.dataset.rating, comment: document.getElementById("rate-comment").value })
          .then(function () { rate.hidden = true; say(done, m.rated); })
          .catch(function (e) { say(error, m.failed + (e instanceof TypeError ? m.try_again : e.message)); });
      });
    });
  }
  var add = document.getElementById("add");
  if (add) {
    add.addEventListener("submit", function (event) {
      event.preventDefault();
      var files = Array.prototype.slice.call(document.getElementById("add-photos").files, 0, data.max_photos || 4);
      var text = document.getElementById("add-text").value.trim();
      if (!text && !files.length) { return say(error, m.empty); }
      var button = add.querySelector("button");
      button.disabled = true;
      Promise.all(files.map(upload))
        .then(function (photos) { return post("/additions", { text: text, photos: photos }); })
        .then(function () { add.reset(); say(done, m.added); })
        .catch(function (e) { say(error, m.failed + (e instanceof TypeError ? m.try_again : e.message)); })
        .then(function () { button.disabled = false; });
    });
  }
})();
