import contacts from './pipelines/contacts.ts';

/** What `unfold dev` and `unfold serve` load from this folder: add your pipelines here. */
export default {
  pipelines: [contacts],
};
