# Shared by both packages' postinst (copied in at build time): the service user and the data folders.
# The user owns /var/lib/gatewatch and nothing else; it has no shell and no password.
if ! getent passwd gatewatch >/dev/null; then
  useradd --system --user-group --home-dir /var/lib/gatewatch --no-create-home --shell /usr/sbin/nologin \
    --comment "GateWatch services" gatewatch
fi
install -d -o gatewatch -g gatewatch -m 0750 /var/lib/gatewatch
install -d -o root -g gatewatch -m 0750 /etc/gatewatch
