// congvan web page: the few things plain HTML forms cannot do.
// Inbox: drag and drop, one request per file with its upload progress, results added as they come.
// Review: a field and the highlighted text it came from point at each other.
// Every page works without this script (forms post normally); it only makes them quicker to use.
"use strict";

document.documentElement.classList.add("js");

function csrfToken() {
  return document.querySelector('meta[name="csrf-token"]').content;
}

// ------------------------------------------------------------------ inbox

function setUpUpload(form) {
  const zone = document.getElementById("dropzone");
  const picker = document.getElementById("files");
  const maxBytes = Number(form.dataset.maxBytes);
  const suffixes = form.dataset.suffixes.split(" ");

  ["dragenter", "dragover"].forEach((name) => zone.addEventListener(name, (event) => {
    event.preventDefault();
    zone.classList.add("over");
  }));
  ["dragleave", "drop"].forEach((name) => zone.addEventListener(name, () => zone.classList.remove("over")));
  zone.addEventListener("drop", (event) => {
    event.preventDefault();
    uploadAll(form, Array.from(event.dataTransfer.files), maxBytes, suffixes);
  });
  picker.addEventListener("change", () => {
    uploadAll(form, Array.from(picker.files), maxBytes, suffixes);
    picker.value = "";
  });
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    uploadAll(form, Array.from(picker.files), maxBytes, suffixes);
  });
}

// Files go one after the other: the server ingests one batch at a time anyway, and the clerk
// sees each file finish instead of one long wait.
async function uploadAll(form, files, maxBytes, suffixes) {
  if (!files.length) return;
  const section = document.getElementById("progress-section");
  const list = document.getElementById("progress-list");
  const counter = document.getElementById("progress-count");
  section.hidden = false;
  const rows = files.map((file) => progressRow(list, file));
  let finished = 0;
  counter.textContent = `(0/${files.length})`;
  for (let i = 0; i < files.length; i++) {
    const refusal = checkBeforeSending(files[i], maxBytes, suffixes);
    if (refusal) {
      showState(rows[i], "error", refusal);
    } else {
      await uploadOne(form, files[i], rows[i]);
    }
    finished += 1;
    counter.textContent = `(${finished}/${files.length})`;
  }
  counter.textContent = `— xong ${finished}/${files.length} tệp`;
  refreshRecent();
}

function checkBeforeSending(file, maxBytes, suffixes) {
  const dot = file.name.lastIndexOf(".");
  const suffix = dot >= 0 ? file.name.slice(dot).toLowerCase() : "";
  if (!suffixes.includes(suffix)) return `Loại tệp không được hỗ trợ (chỉ nhận ${suffixes.join(", ")}).`;
  if (file.size > maxBytes) return `Tệp quá lớn: tối đa ${Math.round(maxBytes / 1048576)} MB.`;
  return "";
}

function progressRow(list, file) {
  const row = document.createElement("li");
  const name = document.createElement("span");
  name.className = "file";
  name.textContent = file.name;
  const bar = document.createElement("progress");
  bar.max = 100;
  bar.value = 0;
  const state = document.createElement("span");
  state.className = "state";
  state.textContent = "Đang chờ…";
  row.append(name, bar, state);
  list.append(row);
  return row;
}

function showState(row, kind, text) {
  row.classList.remove("done", "error");
  if (kind) row.classList.add(kind);
  row.querySelector(".state").textContent = text;
  if (kind) row.querySelector("progress").value = 100;
}

function uploadOne(form, file, row) {
  return new Promise((resolve) => {
    const data = new FormData();
    data.append("files", file, file.name);
    data.append("received_on", form.elements.received_on.value);
    data.append("csrf_token", csrfToken());
    const xhr = new XMLHttpRequest();
    xhr.open("POST", form.action);
    xhr.setRequestHeader("X-CSRF-Token", csrfToken());
    xhr.setRequestHeader("X-Fragment", "1");
    xhr.upload.addEventListener("progress", (event) => {
      if (!event.lengthComputable) return;
      const percent = Math.round((event.loaded / event.total) * 100);
      row.querySelector("progress").value = percent;
      showState(row, "", percent < 100 ? `Đang gửi ${percent}%` : "Đang đọc và trích thông tin…");
    });
    xhr.addEventListener("load", () => {
      if (xhr.status === 200) {
        addResults(xhr.responseText);
        showState(row, "done", "Đã gửi — đang chờ đọc (xem Kết quả)");
        pollJobs();
      } else {
        showState(row, "error", errorMessage(xhr.responseText, xhr.status));
      }
      resolve();
    });
    xhr.addEventListener("error", () => {
      showState(row, "error", "Mất kết nối tới máy chủ; tệp chưa được gửi.");
      resolve();
    });
    showState(row, "", "Đang gửi…");
    xhr.send(data);
  });
}

// Files are read by the server in the background: ask every second how each one is doing,
// until every row shown is finished (then the recent-documents table is refreshed).
let polling = null;
function pollJobs() {
  if (polling) return;
  polling = setInterval(async () => {
    const pending = Array.from(document.querySelectorAll("tr.result[data-pending]"));
    if (!pending.length) {
      clearInterval(polling);
      polling = null;
      refreshRecent();
      return;
    }
    const query = pending.map((row) => `id=${encodeURIComponent(row.dataset.job)}`).join("&");
    const response = await fetch(`/inbox/jobs?${query}`, { credentials: "same-origin" });
    if (!response.ok) return;
    const holder = document.createElement("tbody");
    holder.innerHTML = await response.text();
    for (const fresh of Array.from(holder.querySelectorAll("tr.result[data-job]"))) {
      document.querySelectorAll(`tr.result[data-job="${fresh.dataset.job}"]`)
        .forEach((old) => old.replaceWith(fresh.cloneNode(true)));
    }
  }, 1000);
}

function addResults(html) {
  document.getElementById("results-section").hidden = false;
  document.getElementById("results-body").insertAdjacentHTML("beforeend", html);
}

// The server answers a refused request with its error page; show that page's message.
function errorMessage(html, status) {
  const page = new DOMParser().parseFromString(html, "text/html");
  const message = page.querySelector(".error-message");
  return message ? message.textContent : `Máy chủ báo lỗi ${status}.`;
}

async function refreshRecent() {
  const response = await fetch("/inbox", { credentials: "same-origin" });
  if (!response.ok) return;
  const fresh = new DOMParser().parseFromString(await response.text(), "text/html").getElementById("recent");
  if (fresh) document.getElementById("recent").replaceWith(fresh);
}

// ------------------------------------------------------------------ review

function setUpReview(form, source) {
  const marksOf = (name) => source.querySelectorAll(`mark[data-fields~="${name}"]`);
  form.querySelectorAll(".field").forEach((field) => {
    const name = field.dataset.field;
    const input = field.querySelector("input, textarea");
    input.addEventListener("focus", () => {
      source.querySelectorAll("mark.active").forEach((mark) => mark.classList.remove("active"));
      const marks = marksOf(name);
      marks.forEach((mark) => mark.classList.add("active"));
      if (marks.length) marks[0].scrollIntoView({ block: "center", behavior: "smooth" });
    });
  });
  source.addEventListener("click", (event) => {
    const mark = event.target.closest("mark");
    if (!mark) return;
    // The innermost field that has an input (directive items and references have none).
    const input = mark.dataset.fields.split(" ").map((name) => form.querySelector(`[name="${name}"]`)).find(Boolean);
    if (input) input.focus();
  });
}

// The sticky save bar must never hide the field being typed in: a focused field under it (or
// above the top) is brought to the middle of the window.
function keepFocusedFieldVisible(form) {
  const bar = form.querySelector(".form-actions");
  form.addEventListener("focusin", (event) => {
    const input = event.target;
    if (!input.matches("input, textarea")) return;
    const box = input.getBoundingClientRect();
    const barTop = bar ? bar.getBoundingClientRect().top : window.innerHeight;
    if (box.bottom > Math.min(barTop, window.innerHeight) || box.top < 0) input.scrollIntoView({ block: "center" });
  });
}

// What the clerk typed is kept in this tab until it is saved: a save refused because the
// session expired (or the page left) loses nothing — the next visit of the page puts it back.
function keepDraft(form) {
  const key = `congvan-draft:${location.pathname}`;
  const query = new URLSearchParams(location.search);
  const saved = ["saved", "checked", "registered"].some((name) => query.has(name));
  if (saved) sessionStorage.removeItem(key);
  const fields = Array.from(form.querySelectorAll("input[name], textarea[name]")).filter((el) => el.type !== "hidden");
  const stored = sessionStorage.getItem(key);
  if (stored && !saved) {
    let restored = 0;
    const values = JSON.parse(stored);
    fields.forEach((el) => {
      if (el.name in values && values[el.name] !== el.value) {
        el.value = values[el.name];
        restored += 1;
      }
    });
    if (restored) {
      const note = document.getElementById("draft-note");
      if (note) note.hidden = false;
    }
  }
  const remember = () => {
    const values = {};
    fields.forEach((el) => { values[el.name] = el.value; });
    sessionStorage.setItem(key, JSON.stringify(values));
  };
  form.addEventListener("input", remember);
  form.addEventListener("submit", remember);
}

// Long directive items show three lines; a click shows the whole text.
document.addEventListener("click", (event) => {
  const text = event.target.closest(".clamp");
  if (text) text.classList.toggle("open");
});

// A button that cannot be undone (issuing a number) asks first.
document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-confirm]");
  if (button && !window.confirm(button.dataset.confirm)) event.preventDefault();
});

document.addEventListener("DOMContentLoaded", () => {
  const uploadForm = document.getElementById("upload-form");
  if (uploadForm) setUpUpload(uploadForm);
  if (document.querySelector("tr.result[data-pending]")) pollJobs();
  const recordForm = document.getElementById("record-form");
  const source = document.getElementById("source-text");
  if (recordForm && source) setUpReview(recordForm, source);
  if (recordForm) {
    keepFocusedFieldVisible(recordForm);
    keepDraft(recordForm);
  }
});
