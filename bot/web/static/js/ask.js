// Progressive enhancement of the ask form: fetch /api/ask and show the answer without a reload.
// Without this script the form posts to / and the server renders the same markup.
// User and document text only ever goes in through textContent, never innerHTML.
(function () {
  "use strict";
  var form = document.querySelector("form[data-ask]");
  if (!form || !window.fetch) return;
  var input = document.getElementById("question");
  var status = document.getElementById("status");
  var answerBox = document.getElementById("answer");
  var summary = document.getElementById("error-summary");
  var fieldError = document.getElementById("question-error");
  var button = form.querySelector("button[type=submit]");
  var busy = false;
  var SIGNED_OUT = "Your session has ended. Open the web page again from partnerbot's Home tab in Slack, " +
    "or from a link partnerbot gave you, then ask again.";

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (key) { node.setAttribute(key, attrs[key]); });
    (children || []).forEach(function (child) {
      node.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
    });
    return node;
  }

  function httpUrl(url) {
    try {
      var parsed = new URL(url, window.location.href);
      return parsed.protocol === "http:" || parsed.protocol === "https:" ? parsed.href : null;
    } catch (e) {
      return null;
    }
  }

  function hidden(text) { return el("span", { "class": "visually-hidden" }, [text]); }

  function citedText(answer) {
    var p = el("p", { "class": "answer-text" + (answer.answered ? "" : " not-found") });
    var urls = {};
    answer.sources.forEach(function (s) { urls[s.n] = s; });
    var re = /\[(\d+)\]/g, last = 0, m;
    while ((m = re.exec(answer.answer)) !== null) {
      p.appendChild(document.createTextNode(answer.answer.slice(last, m.index)));
      var source = urls[Number(m[1])];
      var url = source && httpUrl(source.url);
      if (url) {
        p.appendChild(el("a", { "class": "cite", href: url, title: "Source " + source.n + ": " + source.title }, [m[0]]));
      } else {
        p.appendChild(document.createTextNode(m[0]));
      }
      last = re.lastIndex;
    }
    p.appendChild(document.createTextNode(answer.answer.slice(last)));
    return p;
  }

  function sourceItem(s) {
    var viewer = httpUrl(s.url) || "#";
    var links = el("p", { "class": "source-links" }, [
      el("a", { href: viewer }, ["Read the passage", hidden(" in " + s.title)]),
    ]);
    var original = s.source_url && httpUrl(s.source_url);
    if (original) {
      links.appendChild(document.createTextNode(" · "));
      links.appendChild(el("a", { href: original, rel: "noopener noreferrer" }, ["Original page", hidden(" of " + s.title)]));
    }
    return el("li", { id: "source-" + s.n, value: String(s.n) }, [
      el("a", { "class": "source-title", href: viewer }, [s.title]),
      el("span", { "class": "source-meta" }, [[s.organisation, s.published].filter(Boolean).join(", ")]),
      el("blockquote", { "class": "snippet" }, [s.snippet]),
      links,
    ]);
  }

  function showAnswer(answer) {
    var heading = el("h2", { id: "answer-heading", tabindex: "-1" },
      [answer.answered ? "Answer" : "No answer in the documents"]);
    var nodes = [heading, el("p", { "class": "question-echo" }, ["You asked: ", el("q", {}, [answer.question])]), citedText(answer)];
    if (answer.refer) {
      nodes.push(el("p", { "class": "front-door" }, ["For help from a person, ask " + form.dataset.frontDoor + "."]));
    }
    if (answer.sources.length) {
      nodes.push(el("h3", { id: "sources-heading" }, [answer.answered ? "Sources" : "Nearest sources"]));
      nodes.push(el("ol", { "class": "sources", "aria-labelledby": "sources-heading" }, answer.sources.map(sourceItem)));
    }
    answerBox.replaceChildren.apply(answerBox, nodes);
    answerBox.hidden = false;
    heading.focus();
  }

  function showError(message) {
    message = message.charAt(0).toUpperCase() + message.slice(1);
    var link = el("a", { href: "#question" }, [message]);
    summary.replaceChildren(el("h2", { "class": "error-summary-title" }, ["There is a problem"]), el("p", {}, [link]));
    summary.hidden = false;
    fieldError.replaceChildren(hidden("Error: "), message);
    fieldError.hidden = false;
    form.querySelector(".field").classList.add("field-error");
    input.setAttribute("aria-invalid", "true");
    input.setAttribute("aria-describedby", "question-hint question-error");
    document.title = "Error: " + document.title.replace(/^Error: /, "");
    input.focus();
  }

  function clearError() {
    summary.hidden = true;
    summary.replaceChildren();
    fieldError.hidden = true;
    fieldError.replaceChildren();
    form.querySelector(".field").classList.remove("field-error");
    input.removeAttribute("aria-invalid");
    input.setAttribute("aria-describedby", "question-hint");
    document.title = document.title.replace(/^Error: /, "");
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    if (busy) return;
    busy = true;
    button.disabled = true;
    answerBox.setAttribute("aria-busy", "true");
    status.textContent = "Searching the cluster's documents…";
    fetch("/api/ask", {
      method: "POST",
      credentials: "same-origin", // the session cookie: this site is private unless made public
      headers: { "Content-Type": "application/json", Accept: "application/json" },
      body: JSON.stringify({ question: input.value }),
    })
      .then(function (response) {
        return response.json().then(function (body) { return { status: response.status, ok: response.ok, body: body }; });
      })
      .then(function (result) {
        if (result.status === 401) {
          status.textContent = "";
          showError(SIGNED_OUT);
          return;
        }
        if (!result.ok) {
          status.textContent = "";
          showError(typeof result.body.detail === "string" ? result.body.detail : "The question could not be answered.");
          return;
        }
        clearError();
        status.textContent = result.body.answered ? "Answer ready." : "The documents do not answer that.";
        showAnswer(result.body);
      })
      .catch(function () {
        status.textContent = "";
        showError("The assistant could not be reached. Check your connection and try again.");
      })
      .finally(function () {
        busy = false;
        button.disabled = false;
        answerBox.removeAttribute("aria-busy");
      });
  });
})();
