// The email service: sends the email channel's messages over SMTP (parking them while it is down); GET / and, locally, GET /mail.
export { emailApi } from './api';
import './on-email-requested';
import './retry';
