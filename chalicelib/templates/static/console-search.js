/* The console's search tab and its live counts: a filter form over every case the signed-in role
   may see, results page by page (the API's cursor), CSV export with the signed-in token, and a
   strip of count badges above the tabs. The API decides what each role finds; every word from the
   catalogue (console.js.* messages). */
"use strict";
(function () {
  var c = window.mashangConsole;
  if (!c) { return; }
  var m = c.messages, data = c.data, el = c.el, say = c.say, fmt = c.fmt;
  var api = data.api;
  var filters = {};  // the form's last search, kept while the tab is switched

  function query(values) {
    return Object.keys(values).filter(function (k) { return values[k]; })
      .map(function (k) { return encodeURIComponent(k) + "=" + encodeURIComponent(values[k]); }).join("&");
  }
  function labelled(text, control) {
    var label = el("label", "", "search-field");
    label.appendChild(el("span", text)); label.appendChild(control);
    return label;
  }
  function choice(name, text, options) {
    var s = c.select([["", m.search_any]].concat(options));
    s.name = name; s.value = filters[name] || "";
    return labelled(text, s);
  }
  function input(name, text, type) {
    var i = el("input"); i.name = name; i.type = type || "text"; i.value = filters[name] || "";
    return labelled(text, i);
  }
  function form(onSearch) {
    var f = el("form", "", "card search");
    var me = c.me();
    f.appendChild(input("number", m.search_number));
    f.appendChild(choice("status", m.search_status, data.statuses || []));
    f.appendChild(choice("category", m.search_category, data.categories || []));
    f.appendChild(choice("district", m.search_district, data.districts || []));
    if (me.role !== "handler") {  // a handler searches its own department only
      var departments = [["triage", m.search_triage]].concat(Object.keys(data.departments).map(function (code) { return [code, data.departments[code]]; }));
      f.appendChild(choice("department", m.search_department, departments));
    }
    f.appendChild(input("from", m.search_from, "date"));
    f.appendChild(input("to", m.search_to, "date"));
    var text = input("q", m.search_text);
    text.querySelector("input").maxLength = 50;
    f.appendChild(text);
    var overdue = el("input"); overdue.type = "checkbox"; overdue.name = "overdue"; overdue.checked = filters.overdue === "1";
    var box = el("label", "", "search-check"); box.appendChild(overdue); box.appendChild(el("span", m.search_overdue));
    f.appendChild(box);
    f.appendChild(el("p", m.search_text_note, "muted note"));
    var row = el("div", "", "actions");
    var submit = el("button", m.search_submit); submit.type = "submit";
    row.appendChild(submit);
    var exporter = c.button(m.search_export, function () { exportCsv(read(f), exporter); }, true);
    exporter.dataset.action = "export";
    row.appendChild(exporter);
    f.appendChild(row);
    f.addEventListener("submit", function (ev) { ev.preventDefault(); filters = read(f); onSearch(); });
    return f;
  }
  function read(f) {
    var values = {};
    Array.prototype.forEach.call(f.querySelectorAll("input, select"), function (x) {
      if (x.type === "checkbox") { values[x.name] = x.checked ? "1" : ""; } else { values[x.name] = x.value.trim(); }
    });
    return values;
  }
  function row(t) {
    var card = el("section", "", "card ticket result");
    card.dataset.number = t.number;
    var head = el("div");
    var link = el("a", t.number, "number"); link.href = t.page; link.target = "_blank";
    head.appendChild(link); head.appendChild(document.createTextNode(" "));
    head.appendChild(el("span", t.status_label, "badge status"));
    if (t.overdue || (t.due && new Date(t.due) < new Date())) { head.appendChild(document.createTextNode(" ")); head.appendChild(el("span", m.overdue, "badge late")); }
    if (t.confidential) { head.appendChild(document.createTextNode(" ")); head.appendChild(el("span", m.confidential, "badge")); }
    card.appendChild(head);
    if (t.text) { card.appendChild(el("p", t.text, "text")); }
    var place = [t.category_name, t.location_name || t.district_name, t.department_name || m.search_triage].filter(Boolean).join(" · ");
    card.appendChild(el("div", place, "muted meta"));
    card.appendChild(el("div", say("search_created", { at: fmt(t.created_at) }) + (t.due ? " · " + say("search_due", { at: c.fmtDue(t.due) }) : ""), "muted"));
    var open = c.button(m.open_here, function () { c.open(t.number); }, true);  // its actions and detail
    open.className = "link"; head.appendChild(open);
    return card;
  }
  // The results: the first page, then "more" follows the cursor the API answered.
  function results(list, summary) {
    var box = el("div", "", "results"), shown = 0;
    var more = c.button(m.search_more, function () { page(next); }, true);
    var hint = el("p", m.search_more_hint, "muted"), next = null;
    more.hidden = hint.hidden = true;
    list.appendChild(box); list.appendChild(hint); list.appendChild(more);
    function page(cursor) {
      more.disabled = true;
      var values = Object.assign({}, filters, cursor ? { cursor: cursor } : {});
      return c.call("GET", "/console/search?" + query(values)).then(function (answer) {
        answer.cases.forEach(function (t) { box.appendChild(row(t)); });
        shown += answer.cases.length;
        next = answer.next;
        more.hidden = hint.hidden = !next; more.disabled = false;
        summary.textContent = shown || next ? say("search_shown", { n: shown }) : m.search_none;
      }).catch(function (e) { more.disabled = false; summary.textContent = e.message; });
    }
    return page(null);
  }
  // The CSV comes with the token in a header, so it is fetched and handed over as a file.
  function exportCsv(values, trigger) {
    var note = document.getElementById("summary");
    trigger.disabled = true; note.textContent = m.search_exporting;
    // A signed-in call first: it renews an expired token (or asks to sign in again).
    c.call("GET", "/console/me")
      .then(function () { return fetch(api + "/console/search.csv?" + query(values), { headers: c.headers() }); })
      .then(function (r) {
        if (!r.ok) { return r.json().catch(function () { return {}; }).then(function (j) { throw new Error(j.message || String(r.status)); }); }
        var cut = r.headers.get("X-Export-Truncated") === "1";
        var name = ((r.headers.get("Content-Disposition") || "").match(/filename="([^"]+)"/) || [])[1] || "mashang.csv";
        return r.blob().then(function (blob) {
          var a = el("a"); a.href = URL.createObjectURL(blob); a.download = name;
          document.body.appendChild(a); a.click(); a.remove();
          setTimeout(function () { URL.revokeObjectURL(a.href); }, 1000);
          note.textContent = cut ? m.search_export_cut : "";
        });
      })
      .catch(function (e) { note.textContent = e.message; })
      .then(function () { trigger.disabled = false; });
  }
  c.panels.search = function (list, summary) {
    list.appendChild(form(function () { draw(list, summary); }));
    return results(list, summary);
  };
  function draw(list, summary) {
    list.textContent = ""; summary.textContent = "";
    return c.panels.search(list, summary);
  }

  // The live counts: one badge per queue of the signed-in role, refreshed after each load and every minute.
  function counts() {
    var strip = document.getElementById("counts");
    if (!strip) { return Promise.resolve(); }
    if (!c.me()) { strip.hidden = true; return Promise.resolve(); }
    return c.call("GET", "/console/counts").then(function (answer) {
      strip.textContent = "";
      var names = Object.keys(answer.counts);
      strip.hidden = !names.length;
      names.forEach(function (name) {
        var n = answer.counts[name];
        var badge = el("span", "", "count" + (n && (name === "overdue" || name === "dead_letters" || name === "escalated") ? " alert" : ""));
        badge.dataset.count = name;
        badge.appendChild(el("b", String(n))); badge.appendChild(document.createTextNode(" " + m["count_" + name]));
        strip.appendChild(badge);
      });
    }).catch(function () { strip.hidden = true; });
  }
  // After every (re)draw of the list (a queue loaded, an action done, a search run), and every minute.
  var pending = null;
  function soon() { clearTimeout(pending); pending = setTimeout(counts, 400); }
  // (Signing in shows the desk; every queue drawn writes the list or its summary.)
  document.addEventListener("DOMContentLoaded", function () {
    if (!window.MutationObserver) { return; }
    var watch = new MutationObserver(soon);
    ["list", "summary"].forEach(function (id) { var n = document.getElementById(id); if (n) { watch.observe(n, { childList: true }); } });
    var desk = document.getElementById("desk");
    if (desk) { watch.observe(desk, { attributes: true, attributeFilter: ["hidden"] }); }
  });
  setInterval(counts, 60000);
  c.counts = counts;
})();
