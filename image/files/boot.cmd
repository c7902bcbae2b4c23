# U-Boot's boot script (boot.scr on the boot partition), the A/B slot choice of
# RAUC's U-Boot integration: BOOT_ORDER lists the slots to try, BOOT_x_LEFT the
# attempts each has left. Every boot takes one attempt from the slot it boots;
# Linux gives them back (rauc status mark-good) once the gateway is healthy. A
# slot with none left is skipped, so a broken update falls back to the other.
# The state is the text file bootstate.txt on this partition (see
# /usr/lib/rauc/boot-state in the root filesystem for why not the environment).
setenv BOOT_ORDER "A B"
setenv BOOT_A_LEFT 3
setenv BOOT_B_LEFT 3
if load virtio 0:1 ${scriptaddr} bootstate.txt; then
  env import -t ${scriptaddr} ${filesize}
fi
setenv slot
for s in ${BOOT_ORDER}; do
  if test -z "${slot}"; then
    if test "${s}" = "A" && test ${BOOT_A_LEFT} -gt 0; then
      setexpr BOOT_A_LEFT ${BOOT_A_LEFT} - 1
      setenv slot A
      setenv part 2
    elif test "${s}" = "B" && test ${BOOT_B_LEFT} -gt 0; then
      setexpr BOOT_B_LEFT ${BOOT_B_LEFT} - 1
      setenv slot B
      setenv part 3
    fi
  fi
done
if test -z "${slot}"; then
  echo "boot: no slot has attempts left; giving both 3 again"
  setenv BOOT_ORDER "A B"
  setenv BOOT_A_LEFT 3
  setenv BOOT_B_LEFT 3
  env export -t ${scriptaddr} BOOT_ORDER BOOT_A_LEFT BOOT_B_LEFT
  fatwrite virtio 0:1 ${scriptaddr} bootstate.txt ${filesize}
  reset
fi
echo "boot: slot ${slot} (order ${BOOT_ORDER}, attempts left A ${BOOT_A_LEFT} B ${BOOT_B_LEFT})"
env export -t ${scriptaddr} BOOT_ORDER BOOT_A_LEFT BOOT_B_LEFT
fatwrite virtio 0:1 ${scriptaddr} bootstate.txt ${filesize}
setenv bootargs "console=@SERIAL@ root=/dev/vda${part} rauc.slot=${slot} panic=5 quiet loglevel=3"
load virtio 0:${part} ${kernel_addr_r} /boot/Image
load virtio 0:${part} ${ramdisk_addr_r} /boot/initrd.img
booti ${kernel_addr_r} ${ramdisk_addr_r}:${filesize} ${fdtcontroladdr}
echo "boot: slot ${slot} did not boot; resetting"
reset
