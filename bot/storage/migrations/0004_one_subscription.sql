-- Whether a person gets announcements is users.subscribed alone: the registration kept its own
-- copy, which /unsubscribe did not change, so /mydata and the export said "yes" to someone who
-- had said no. The form's answer now sets users.subscribed, and registrations read it there.
ALTER TABLE registrations DROP COLUMN announcements;
