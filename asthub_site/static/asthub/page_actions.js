// Small page behaviours, declared in the markup with data- attributes: the pages carry no
// inline script or handler, so the Content-Security-Policy can forbid them all.
//   <select data-submit-on-change>   submits its form when the choice changes
//   <button data-copy="ELEMENT_ID">  copies that element's text to the clipboard, exactly as
//                                    it stands in the page (textContent: a <pre> inside a
//                                    closed <details> is copied whole too)
document.addEventListener("change", (event) => {
  const field = event.target.closest("[data-submit-on-change]");
  if (field && field.form) field.form.submit();
});

document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-copy]");
  if (!button) return;
  const source = document.getElementById(button.dataset.copy);
  if (!source || !navigator.clipboard) return;
  navigator.clipboard.writeText(source.textContent).then(() => {
    const label = button.textContent;
    button.textContent = "Copied";
    setTimeout(() => { button.textContent = label; }, 1500);
  });
});
