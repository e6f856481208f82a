// The programme box of the application form matters only for a programme call: hidden (and
// left out of the post) while "Mission on the unit's funds" is chosen. Without this script
// the box stays, and the server ignores it for a unit mission.
(function () {
  "use strict";

  var box = document.querySelector(".js-programme-field");
  var radios = document.querySelectorAll('input[name="funding"]');
  if (!box || !radios.length) {
    return;
  }
  var select = box.querySelector("select");

  function update() {
    var checked = document.querySelector('input[name="funding"]:checked');
    var unit = checked !== null && checked.value === "unit";
    box.hidden = unit;
    if (select) {
      select.disabled = unit;
    }
  }

  Array.prototype.forEach.call(radios, function (radio) {
    radio.addEventListener("change", update);
  });
  update();
})();
