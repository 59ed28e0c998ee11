// The feedback form's one enhancement: fill the coordinates from the phone's position.
(function () {
  var button = document.getElementById("locate");
  if (!button || !navigator.geolocation) return;
  button.hidden = false;
  button.addEventListener("click", function () {
    button.disabled = true;
    navigator.geolocation.getCurrentPosition(function (p) {
      document.querySelector("input[name=lat]").value = p.coords.latitude.toFixed(6);
      document.querySelector("input[name=lon]").value = p.coords.longitude.toFixed(6);
      button.disabled = false;
    }, function () {
      button.disabled = false;
      button.textContent = "Không lấy được vị trí; hãy nhập địa chỉ";
    }, { enableHighAccuracy: true, timeout: 10000 });
  });
})();
