// The email service: sends the email channel's messages over SMTP; GET / and, locally, GET /mail.
export { emailApi } from './api';
import './on-email-requested';
