// The New job form (jobs/new.html): the hardware list follows the chosen platform, and the
// data set and model fields get a catalog search. Data comes from the page's json_script
// ("new-job-data"); the server validates everything again, so this only helps choose.
(() => {
  const form = document.getElementById("new-job");
  const dataNode = document.getElementById("new-job-data");
  if (!form || !dataNode) return;
  const data = JSON.parse(dataNode.textContent);
  const hardware = form.querySelector("select[name=hardware]");
  const SHOWN = 12;

  const platform = () => {
    const checked = form.querySelector("input[name=platform]:checked");
    return checked ? checked.value : "local";
  };

  // The chosen platform's hardware only; what the plan lacks stays listed, disabled.
  function showHardware() {
    const choices = data.hardware[platform()] || [];
    const current = hardware.value;
    hardware.replaceChildren(...choices.map((choice) => {
      const option = new Option(choice.allowed ? choice.name : `${choice.name} (${choice.needs})`, choice.name);
      option.disabled = !choice.allowed;
      return option;
    }));
    const keep = choices.find((choice) => choice.allowed && choice.name === current);
    const first = choices.find((choice) => choice.allowed);
    hardware.value = keep ? keep.name : (first ? first.name : "");
    for (const note of form.querySelectorAll("[data-platform-note]")) {
      note.hidden = note.dataset.platformNote !== platform();
    }
  }

  function entryItem(entry, target) {
    const item = document.createElement("li");
    const button = document.createElement("button");
    button.type = "button";
    button.className = "pick";
    const blocked = entry.min_plan !== "free" && !data.large_models;
    button.disabled = blocked;
    const name = document.createElement("strong");
    name.textContent = entry.name;
    const summary = document.createElement("small");
    summary.textContent = blocked ? ` ${entry.summary} Needs the Pro plan.` : ` ${entry.summary}`;
    button.append(name, summary);
    button.addEventListener("click", () => {
      // A pattern (kaggle:OWNER/DATASET) fills its prefix for the user to complete.
      target.value = entry.pattern ? entry.name.slice(0, entry.name.indexOf(":") + 1) : entry.name;
      target.focus();
      target.dispatchEvent(new Event("change", { bubbles: true }));
    });
    item.append(button);
    return item;
  }

  // The API's entry in the shape the page's own list has (jobs.catalog_suggestions).
  const asPicked = (entry) => ({
    name: entry.name,
    summary: entry.summary,
    family: entry.family,
    pattern: entry.pattern,
    platforms: Object.keys(entry.platforms),
    min_plan: entry.needs.min_plan,
  });

  function matches(entry, text) {
    return !text || entry.name.toLowerCase().includes(text) || entry.summary.toLowerCase().includes(text);
  }

  function picker(box) {
    const kind = box.dataset.picker;
    const target = document.getElementById(box.dataset.target);
    const search = box.querySelector(".picker-search");
    const status = box.querySelector(".picker-status");
    const results = box.querySelector(".picker-results");
    const local = kind === "dataset" ? data.catalog.datasets : data.catalog.models;
    let timer = null;
    let asked = 0;

    function show(entries, total, text) {
      results.replaceChildren(...entries.slice(0, SHOWN).map((entry) => entryItem(entry, target)));
      const where = `on ${platform()}`;
      status.textContent = total === 0
        ? `Nothing ${where} matches "${text}"; you can still type a name.`
        : `${total} ${kind === "dataset" ? "data set" : "model"}${total === 1 ? "" : "s"} ${where}`
          + (total > SHOWN ? `, first ${SHOWN} shown${text ? "" : " (type to search all)"}` : "");
    }

    function fromPage(text) {
      const found = local.filter((entry) => entry.platforms.includes(platform()) && matches(entry, text));
      show(found, found.length, text);
    }

    // Models beyond the everyday ones: the catalog API searches them all (same session).
    function fromApi(text) {
      const ask = ++asked;
      const params = new URLSearchParams({ kind, platform: platform(), q: text, page_size: String(SHOWN) });
      fetch(`${data.catalog_api}?${params}`, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then((answer) => (answer.ok ? answer.json() : Promise.reject(answer.status)))
        .then((page) => { if (ask === asked) show(page.results.map(asPicked), page.count, text); })
        .catch(() => { if (ask === asked) { fromPage(text); status.textContent += " (search unavailable: showing the usual ones)"; } });
    }

    function refresh() {
      const text = search.value.trim().toLowerCase();
      clearTimeout(timer);
      if (kind === "model" && text) timer = setTimeout(() => fromApi(text), 250);
      else fromPage(text);
    }

    search.addEventListener("input", refresh);
    // Enter in the search box picks nothing and must not submit the form.
    search.addEventListener("keydown", (event) => { if (event.key === "Enter") event.preventDefault(); });
    return refresh;
  }

  const refreshers = [...form.querySelectorAll("[data-picker]")].map(picker);
  const refreshAll = () => { showHardware(); refreshers.forEach((refresh) => refresh()); };
  form.addEventListener("change", (event) => { if (event.target.name === "platform") refreshAll(); });
  refreshAll();
})();
