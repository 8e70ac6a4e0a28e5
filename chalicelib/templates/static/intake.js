/* The intake form: validates, sends once per filled form, shows the receipt. */
"use strict";
(function () {
  var api = JSON.parse(document.getElementById("page-data").textContent).api;
  var form = document.getElementById("intake");
  var error = document.getElementById("error");
  var button = document.getElementById("submit");
  var text = document.getElementById("description");
  var messages = {
    category: "请选择问题分类", kind: "请选择诉求类型", description: "请填写具体情况（不超过2000字）",
    phone: "手机号格式不正确，应为11位手机号", location: "点位无效，请重新扫码"
  };
  // One key per filled form: a double tap or a retry never files the case twice.
  var key = (window.crypto && crypto.randomUUID) ? crypto.randomUUID() : String(Date.now()) + Math.random();
  text.addEventListener("input", function () { document.getElementById("count").textContent = text.value.length; });
  function show(message) { error.textContent = message; error.hidden = false; }
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    error.hidden = true;
    var data = new FormData(form);
    var body = {
      location: data.get("location"), category: data.get("category") || "", kind: data.get("kind") || "",
      description: (data.get("description") || "").trim(), phone: (data.get("phone") || "").trim() || null,
      channel: "qr", idempotency_key: key
    };
    if (!body.category) { return show(messages.category); }
    if (!body.description) { return show(messages.description); }
    button.disabled = true; button.textContent = "正在提交…";
    fetch(api + "/tickets", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) })
      .then(function (response) { return response.json().then(function (json) { return { ok: response.ok, json: json }; }); })
      .then(function (result) {
        if (!result.ok) { throw new Error(messages[result.json.field] || result.json.message || "提交失败"); }
        form.hidden = true;
        document.getElementById("done-number").textContent = result.json.number;
        document.getElementById("done-page").href = result.json.page;
        document.getElementById("done-tracking").href = result.json.tracking;
        document.getElementById("done").hidden = false;
      })
      .catch(function (err) { show(err.message && err.message !== "Failed to fetch" ? err.message : "网络不稳定，请稍后重试"); })
      .then(function () { button.disabled = false; button.textContent = "提交诉求"; });
  });
})();
