// On a phone the channel navigation is one scrolling row: bring the current
// channel into view so readers see where they are.
(function () {
  var current = document.querySelector(".channel-nav [aria-current=page]");
  var row = current && current.closest("ul");
  if (row && row.scrollWidth > row.clientWidth) {
    row.scrollLeft = current.offsetLeft - (row.clientWidth - current.offsetWidth) / 2;
  }
})();
