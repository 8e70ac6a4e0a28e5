/* The department console (staff identity by header until sign-in replaces it). */
"use strict";
(function () {
  var data = JSON.parse(document.getElementById("page-data").textContent);
  var api = data.api, tabs = data.tabs, departments = data.departments, names = data.names;
  var ratings = [["satisfied", "满意"], ["basically_satisfied", "基本满意"], ["unsatisfied", "不满意"]];
  var who = document.getElementById("department"), role = document.getElementById("role");
  var current = null;
  who.value = localStorage.getItem("mashang.department") || who.value;
  role.value = localStorage.getItem("mashang.role") || role.value;
  function call(method, path, body) {
    return fetch(api + path, {
      method: method, body: body ? JSON.stringify(body) : undefined,
      headers: { "Content-Type": "application/json", "X-Staff-Department": who.value, "X-Staff-Role": role.value }
    }).then(function (r) { return r.json().then(function (j) { if (!r.ok) { throw new Error(j.message || r.status); } return j; }); });
  }
  function fmt(iso) { return iso ? new Date(iso).toLocaleString("zh-CN", { timeZone: "Asia/Shanghai", hour12: false }) : "—"; }
  function el(tag, text, cls) { var e = document.createElement(tag); if (text) { e.textContent = text; } if (cls) { e.className = cls; } return e; }
  function button(label, handler, secondary) { var b = el("button", label, secondary ? "secondary" : ""); b.type = "button"; b.addEventListener("click", handler); return b; }
  function field(placeholder) { var t = el("textarea"); t.rows = 2; t.placeholder = placeholder; return t; }
  function select(options) { var s = el("select"); options.forEach(function (o) { var x = el("option", o[1]); x.value = o[0]; s.appendChild(x); }); return s; }
  function actionsFor(t, box, act) {
    var row = el("div", "", "actions");
    var path = "/console/tickets/" + t.number;
    if (role.value === "handler" && t.status === "dispatched") {
      var reason = field("退单理由（不属于本单位职责时填写）");
      box.appendChild(reason);
      row.appendChild(button("签收", function () { act(call("POST", path + "/accept", {})); }));
      row.appendChild(button("退单", function () { act(call("POST", path + "/return", { reason: reason.value })); }, true));
    }
    if (role.value === "handler" && t.status === "accepted") {
      var text = field("答复内容（将公开）"), outcome = select([["resolved", "已解决"], ["explained", "已解释说明"], ["cannot_handle", "暂无法办理"]]);
      var ext = field("延期理由"), days = el("input"); days.type = "number"; days.min = 1; days.max = 30; days.value = 5;
      box.appendChild(text); row.appendChild(outcome);
      row.appendChild(button("提交答复", function () { act(call("POST", path + "/reply", { text: text.value, outcome: outcome.value })); }));
      var more = el("details"); more.appendChild(el("summary", "申请延期")); more.appendChild(ext); more.appendChild(days);
      more.appendChild(button("提交延期申请", function () { act(call("POST", path + "/extension", { reason: ext.value, days: Number(days.value) })); }, true));
      box.appendChild(more);
    }
    if (role.value === "dispatcher" && (t.status === "screened" || t.status === "returned")) {
      var target = select(departments.map(function (c, i) { return [c, names[i]]; }));
      row.appendChild(target);
      row.appendChild(button("派单", function () { act(call("POST", path + "/dispatch", { department: target.value })); }));
    }
    if ((role.value === "dispatcher" || role.value === "supervisor") && t.waiting_for === "callback") {
      var verdict = select(ratings), note = field("回访记录");
      box.appendChild(note); row.appendChild(verdict);
      row.appendChild(button("录入回访结果", function () { act(call("POST", path + "/callback", { rating: verdict.value, comment: note.value })); }));
    }
    if (role.value === "supervisor" && t.extension_requested) {
      var remark = field("审批意见");
      box.appendChild(remark);
      row.appendChild(button("同意延期", function () { act(call("POST", path + "/extension/decision", { approve: true, note: remark.value })); }));
      row.appendChild(button("不同意", function () { act(call("POST", path + "/extension/decision", { approve: false, note: remark.value })); }, true));
    }
    box.appendChild(row);
  }
  function render(data) {
    var list = document.getElementById("list");
    list.textContent = "";
    var stuck = data.stuck || [];
    document.getElementById("summary").textContent = "共 " + data.tickets.length + " 件" + (stuck.length ? "；处理失败待排查的任务 " + stuck.length + " 个" : "");
    stuck.forEach(function (s) { list.appendChild(el("p", "任务失败：" + s.task + "（工单内部编号 " + s.ticket_id + "）", "card error")); });
    if (stuck.length || data.stream_failures) {
      var note = el("p", "", "error");
      list.insertBefore(button("故障排除后，重新处理失败的任务（" + (stuck.length + (data.stream_failures || 0)) + "）", function () {
        call("POST", "/console/redrive", {}).then(function (r) {
          note.textContent = "已重新处理：任务 " + r.tasks + " 个，页面更新 " + r.stream_records + " 条" + (r.still_failing ? "；仍失败 " + r.still_failing + " 个" : "");
          return load();
        }).catch(function (e) { note.textContent = e.message; });
      }), list.firstChild);
      list.insertBefore(note, list.firstChild);
    }
    data.tickets.forEach(function (t) {
      var node = document.getElementById("item").content.cloneNode(true);
      var card = node.querySelector(".ticket");
      card.dataset.number = t.number;
      node.querySelector(".number").textContent = t.number;
      node.querySelector(".number").href = t.page;
      node.querySelector(".status").textContent = t.status_label;
      var flag = node.querySelector(".flag");
      if (t.overdue || t.escalation_level) { flag.hidden = false; flag.textContent = t.overdue ? "已超期" : "督办 " + t.escalation_level + " 级"; }
      if (t.extension_requested) { flag.hidden = false; flag.textContent = "申请延期"; }
      node.querySelector(".description").textContent = t.description;
      node.querySelector(".meta").textContent = t.category_name + " · " + t.location_name + (t.department_name ? " · " + t.department_name : "") + " · 提交于 " + fmt(t.created_at);
      node.querySelector(".accept-due").textContent = fmt(t.accept_due);
      var due = node.querySelector(".due");
      due.textContent = fmt(t.reply_due);
      if (t.reply_due && new Date(t.reply_due) < new Date()) { due.classList.add("late"); }
      var error = node.querySelector(".error");
      actionsFor(t, node.querySelector(".box"), function (promise) {
        promise.then(load).catch(function (e) { error.textContent = e.message; error.hidden = false; });
      });
      list.appendChild(node);
    });
  }
  function drawTabs() {
    var box = document.getElementById("tabs");
    box.textContent = "";
    var own = tabs[role.value];
    if (!own.some(function (t) { return t[0] === current; })) { current = own[0][0]; }
    own.forEach(function (t) {
      var b = button(t[1], function () { current = t[0]; drawTabs(); load(); }, true);
      b.setAttribute("aria-pressed", String(t[0] === current));
      b.dataset.tab = t[0];
      box.appendChild(b);
    });
  }
  var latest = 0;
  function load() {
    localStorage.setItem("mashang.department", who.value);
    localStorage.setItem("mashang.role", role.value);
    var tab = tabs[role.value].filter(function (t) { return t[0] === current; })[0];
    var mine = ++latest;  // only the newest request may draw: an older answer is another queue
    return call("GET", "/console/" + tab[2])
      .then(function (data) { if (mine === latest) { render(data); } })
      .catch(function (e) {
        if (mine !== latest) { return; }
        document.getElementById("list").textContent = "";
        document.getElementById("summary").textContent = "加载失败：" + e.message;
      });
  }
  who.addEventListener("change", load);
  role.addEventListener("change", function () { drawTabs(); load(); });
  drawTabs(); load();
})();
