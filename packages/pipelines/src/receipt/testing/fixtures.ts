/**
 * Receipts written for the tests (not taken from any data set), in SROIE box format:
 * `x1,y1,x2,y2,x3,y3,x4,y4,TEXT`, one OCR line a row.
 */
function boxes(rows: Array<[number, number, string]>): string {
  return rows.map(([x, y, text]) => `${x},${y},${x + text.length * 9},${y},${x + text.length * 9},${y + 18},${x},${y + 18},${text}`).join('\n');
}

export const CORNER_HARDWARE = boxes([
  [120, 20, 'LIM & SONS HARDWARE'],
  [140, 42, 'TRADING'],
  [150, 64, '(123456-K)'],
  [80, 86, 'NO. 12, JALAN MAWAR 3,'],
  [90, 108, 'TAMAN BUNGA, 43000 KAJANG,'],
  [130, 130, 'SELANGOR.'],
  [110, 152, 'TEL: 03-8736 1122'],
  [150, 180, 'TAX INVOICE'],
  [40, 210, 'DATE: 05/03/2018'],
  [260, 210, '10:42:15'],
  [40, 240, 'DESCRIPTION'],
  [300, 240, 'QTY'],
  [380, 240, 'AMOUNT'],
  [40, 270, 'PAINT BRUSH 2"'],
  [300, 270, '2 PCS'],
  [380, 270, '12.00'],
  [40, 295, 'MASKING TAPE'],
  [300, 295, '1 PC'],
  [380, 295, '4.50'],
  [40, 330, 'SUB TOTAL:'],
  [380, 330, '16.50'],
  [40, 355, 'GST 6%:'],
  [380, 355, '0.99'],
  [40, 380, 'ROUNDING ADJ:'],
  [380, 380, '0.01'],
  [40, 405, 'TOTAL:'],
  [380, 405, '17.50'],
  [40, 430, 'CASH'],
  [380, 430, '20.00'],
  [40, 455, 'CHANGE'],
  [380, 455, '2.50'],
  [120, 490, 'THANK YOU, PLEASE COME AGAIN'],
]);

/** A one-item grocer's header and item row; its amount follows in each receipt. */
const GROCER_HEADER: Array<[number, number, string]> = [
  [100, 20, 'KEDAI RUNCIT AMAN'],
  [80, 42, 'LOT 5, JALAN PASAR, 50050 KUALA LUMPUR'],
  [40, 80, '12-01-2019'],
  [40, 110, 'ITEM'],
  [300, 110, 'AMOUNT'],
  [40, 140, 'RICE 5KG'],
];

/**
 * A total printed before the rounding adjustment (17.49) and the rounded one after it
 * (17.50): what the customer pays is the one after.
 */
export const TOTAL_BEFORE_ROUNDING = boxes([
  ...GROCER_HEADER,
  [380, 140, '16.50'],
  [40, 170, 'SUBTOTAL'],
  [380, 170, '16.50'],
  [40, 195, 'GST 6%'],
  [380, 195, '0.99'],
  [40, 220, 'TOTAL (INCL GST):'],
  [380, 220, '17.49'],
  [40, 245, 'ROUNDING ADJ:'],
  [380, 245, '0.01'],
  [40, 270, 'TOTAL:'],
  [380, 270, '17.50'],
  [40, 295, 'CASH'],
  [380, 295, '20.00'],
]);

/** The grocer's sale with its tax, to a total of 12.33. */
const TAXED_SALE: Array<[number, number, string]> = [
  ...GROCER_HEADER,
  [380, 140, '11.63'],
  [40, 170, 'GST 6%'],
  [380, 170, '0.70'],
  [40, 195, 'TOTAL SALES:'],
  [380, 195, '12.33'],
];

/**
 * Labels in one column and amounts in the next: the total (12.33) is read from its label,
 * and the 5-sen rounding of it (12.35) is printed below under a label that names no total.
 */
export const ROUNDED_BELOW_TOTAL = boxes([
  ...TAXED_SALE,
  [40, 220, 'ROUNDING ADJUSTMENT:'],
  [380, 220, '0.02'],
  [40, 245, 'AMOUNT TO BE PAID:'],
  [380, 245, '12.35'],
  [40, 270, 'CASH'],
  [380, 270, '20.00'],
]);

/** The same total paid by card: no rounded amount is printed, so the total stays as it is. */
export const UNROUNDED_CARD_TOTAL = boxes([
  ...TAXED_SALE,
  [40, 220, 'CARD'],
  [380, 220, '12.33'],
]);

/**
 * A receipt scanned askew: every amount, printed at the right, sits 12 px higher than its
 * label at the left, so an amount overlaps its own label by less than half a line.
 */
export const ASKEW = boxes([
  [100, 20, 'KEDAI RUNCIT AMAN'],
  [80, 42, 'LOT 5, JALAN PASAR, 50050 KUALA LUMPUR'],
  [40, 80, '12-01-2019'],
  [40, 110, 'ITEM'],
  [300, 98, 'AMOUNT'],
  [40, 140, 'RICE 5KG'],
  [380, 128, '16.50'],
  [40, 165, 'SUGAR 1KG'],
  [380, 153, '3.20'],
  [40, 190, 'SUBTOTAL'],
  [380, 178, '19.70'],
  [40, 215, 'TOTAL'],
  [380, 203, '19.70'],
  [40, 240, 'CASH'],
  [380, 228, '50.00'],
  [40, 265, 'CHANGE'],
  [380, 253, '30.30'],
]);

/** Two lines of a name printed one above the other, closer than half a line. */
export const TIGHT_LINES = boxes([
  [60, 20, 'GOLDEN LOTUS HARDWARE'],
  [90, 27, 'TRADING SDN BHD'],
  [80, 60, 'LOT 5, JALAN PASAR, 50050 KUALA LUMPUR'],
]);

/** A total that names the tax rate it includes, and a tax line after it that names the total. */
export const TOTAL_WITH_RATE = boxes([
  ...GROCER_HEADER,
  [380, 140, '21.20'],
  [40, 170, 'TOTAL INCL. GST@6%'],
  [380, 170, '21.20'],
  [40, 195, 'CARD'],
  [380, 195, '21.20'],
  [40, 220, 'GST @6% INCLUDED IN TOTAL'],
  [380, 220, '1.20'],
]);

/** An address whose lines end in a comma set apart, a full stop, and a state's initials. */
export const LOOSE_PUNCTUATION = boxes([
  [100, 20, 'KEDAI BUKU CERIA'],
  [80, 42, 'NO. 8 , JALAN CEMPAKA 2 ,'],
  [110, 64, 'TAMAN MEWAH.'],
  [90, 86, '48999 PEKAN SERI, SELANGOR D.E.'],
  [130, 108, 'MALAYSIA.'],
  [110, 130, 'TEL: 03-8736 4455'],
]);

/** A name printed over two lines, the second naming no business form, then its registration number. */
export const NAME_OVER_REGISTRATION = boxes([
  [100, 20, 'RESTORAN SERI MELATI'],
  [120, 42, 'MELATI CORNER'],
  [130, 64, '(765432-A)'],
  [80, 86, 'NO. 3, JALAN KENANGA 1,'],
  [90, 108, '43000 KAJANG, SELANGOR.'],
  [110, 130, 'TEL: 03-8736 9911'],
]);

/** A name with a stamp printed beside it, in the same row. */
export const STAMPED_NAME = boxes([
  [100, 20, 'KEDAI ELEKTRIK JAYA'],
  [320, 18, 'POSTED'],
  [80, 42, 'NO. 3, JALAN KENANGA 1,'],
  [90, 64, '43000 KAJANG, SELANGOR.'],
  [110, 86, 'TEL: 03-8736 9911'],
]);

/** Date-shaped digits that are no date: a phone number written with dots, and an item code that is no calendar day. */
export const DATE_LOOKALIKES = boxes([
  [100, 20, 'KEDAI RUNCIT AMAN'],
  [80, 42, 'LOT 5, JALAN PASAR, 50050 KUALA LUMPUR'],
  [110, 64, 'TEL. : 03.22.95.66.66'],
  [40, 100, 'HOOK 5/40/160'],
  [380, 100, '4.50'],
  [40, 130, '14/02/2019 10:15'],
]);

/** An item whose name says ROUND, before the totals: the rounding adjustment is the line after them. */
export const ROUND_ITEM = boxes([
  ...GROCER_HEADER,
  [380, 140, '8.90'],
  [40, 165, 'PIPE CLIP (ROUND)'],
  [380, 165, '4.00'],
  [40, 190, 'TOTAL'],
  [380, 190, '12.90'],
  [40, 215, 'DISCOUNT'],
  [380, 215, '0.90'],
  [40, 240, 'ROUNDING ADJ'],
  [380, 240, '0.00'],
  [40, 265, 'TOTAL INCL GST:'],
  [380, 265, '12.00'],
  [40, 290, 'CASH'],
  [380, 290, '20.00'],
]);

/** A net amount after a gross one, then the money handed over. */
export const NET_AMOUNT = boxes([
  ...GROCER_HEADER,
  [380, 140, '20.00'],
  [40, 170, 'GROSS AMT :'],
  [380, 170, '20.00'],
  [40, 195, 'NET AMT :'],
  [380, 195, '18.00'],
  [40, 220, 'RECEIVED'],
  [380, 220, '20.00'],
  [40, 245, 'CHANGE'],
  [380, 245, '2.00'],
]);

/** The total abbreviated "TL", its amount on the line below. */
export const ABBREVIATED_TOTAL = boxes([
  ...GROCER_HEADER,
  [380, 140, '9.40'],
  [40, 170, 'SUBTOTAL:'],
  [380, 170, '9.40'],
  [40, 195, 'TL:RM'],
  [380, 220, '9.40'],
  [40, 245, 'GST 6%'],
  [380, 245, '0.53'],
  [40, 270, 'CASH'],
  [380, 270, '10.00'],
]);

/** A machine's receipt: the money it accepted is called a total, but the amount due is above it. */
export const ACCEPTED_TOTAL = boxes([
  ...GROCER_HEADER,
  [380, 140, '5.00 RM'],
  [40, 170, 'AMOUNT INCL. GST'],
  [380, 170, '5.00 RM'],
  [40, 195, 'ACCEPTED TOTAL'],
  [380, 195, '10.00 RM'],
  [40, 220, 'CHANGE'],
  [380, 220, '5.00 RM'],
]);

/** An address ending in its state, then a second postcode with the state. */
export const SECOND_POSTCODE = boxes([
  [100, 20, 'KEDAI KOPI PANTAI'],
  [80, 42, '12, JALAN PANTAI, 10300 PENANG.'],
  [110, 64, '10450 PENANG.'],
  [110, 86, 'TEL: 04-123 4567'],
]);

/** An address introduced by a label, the head office's. */
export const LABELLED_ADDRESS = boxes([
  [100, 20, 'KEDAI UBAT SENTOSA SDN BHD'],
  [110, 42, 'TEL: 03-8736 2200'],
  [80, 64, 'HQ ADD: LOT 88, JALAN BESAR'],
  [90, 86, '43000 KAJANG, SELANGOR'],
  [40, 110, 'DATE: 15/12/2018'],
]);

/** A document title above the brand and the registered business that trades under it. */
export const TITLE_ABOVE_NAME = boxes([
  [100, 20, 'SIMPLIFIED TAX INVOICE'],
  [120, 42, 'SEHAT PHARMACY'],
  [100, 64, 'MAJU KESIHATAN SDN BHD'],
  [130, 86, '(998877-A)'],
  [100, 108, 'GST NO: 001234567890'],
  [80, 130, 'NO. 3, JALAN KENANGA 1,'],
  [90, 152, '48999 PEKAN SERI, SELANGOR'],
]);

/** The address's last line carries the phone number after the state. */
export const PHONE_AFTER_STATE = boxes([
  [100, 20, 'KEDAI KOPI SERI'],
  [80, 42, 'NO. 9, JALAN MELUR 2,'],
  [60, 64, '48999 PEKAN SERI, SELANGOR, TEL NO.: 03-8736 1234'],
  [110, 86, 'TAX INVOICE'],
]);

/** Totals that do not add up: subtotal 10.00 + tax 0.60 ≠ total 11.00. */
export const MISMATCHED_TOTALS = boxes([
  ...GROCER_HEADER,
  [380, 140, '10.00'],
  [40, 170, 'SUBTOTAL'],
  [380, 170, '10.00'],
  [40, 195, 'SST'],
  [380, 195, '0.60'],
  [40, 220, 'TOTAL'],
  [380, 220, '11.00'],
]);

/**
 * A chain's head-office address that ends in its state, the outlet's code and name under
 * it, then counter wording that is not address; the house number is a range.
 */
export const CHAIN_OUTLET = boxes([
  [100, 20, 'MAJU BAKERY SDN BHD'],
  [140, 42, '(765432-W)'],
  [80, 64, 'NO 21-23-25B, JALAN CEMPAKA,'],
  [90, 86, '47500 SUBANG JAYA, SELANGOR'],
  [110, 108, '0412-TMN MELATI'],
  [130, 130, 'SELF COLLECT'],
  [110, 152, 'TEL: 03-5555 0101'],
  [40, 180, 'DATE: 07/08/2018'],
  [40, 210, 'BUN'],
  [380, 210, '2.50'],
  [40, 240, 'TOTAL:'],
  [380, 240, '2.50'],
]);

/** A header whose only business-form line is printed below the address (a customer's name). */
export const NAME_BELOW_ADDRESS = boxes([
  [100, 20, 'CERIA BOOKS'],
  [80, 42, 'LOT 7, JALAN RIA 2,'],
  [90, 64, '81100 JOHOR BAHRU, JOHOR'],
  [110, 86, 'TEL: 07-555 1234'],
  [100, 108, 'PERMATA ENGINEERING SDN BHD'],
  [40, 130, 'DATE: 09/10/2018'],
  [40, 160, 'PEN'],
  [380, 160, '3.00'],
  [40, 190, 'TOTAL:'],
  [380, 190, '3.00'],
]);

/**
 * A brand line, a parenthesised description, and the business whose registration number
 * and outlet code share its line; the registration line below names no business.
 */
export const NAME_WITH_REGISTRATION = boxes([
  [100, 20, 'SINAR PASTRY'],
  [100, 42, '(SINAR PASTRY SHOP (40123))'],
  [80, 64, "AMIR'S BAKEHOUSE S/B 456789-K (SP2)"],
  [80, 86, 'NO. 3, JALAN KENARI,'],
  [90, 108, '43000 KAJANG, SELANGOR'],
  [90, 130, 'COMPANY REG NO. :456789-K'],
  [40, 160, 'DATE: 11/12/2018'],
  [40, 190, 'TART'],
  [380, 190, '4.00'],
  [40, 220, 'TOTAL:'],
  [380, 220, '4.00'],
]);

/**
 * A header with no business form or trade word, whose registration lines carry "COMPANY"
 * (one number with a letter prefix) and whose contact line carries "OUTLET".
 */
export const PLAIN_NAME = boxes([
  [100, 20, 'SERI TAILORING & GIFTS'],
  [80, 42, '8, JALAN DAMAI,'],
  [90, 64, '55100 KUALA LUMPUR'],
  [90, 86, 'COMPANY REG NO. :12345-A'],
  [90, 98, 'COMPANY NO: JB0012345-T'],
  [90, 110, 'OUTLET:03-1234 5678'],
  [40, 116, 'DATE: 11/12/2018'],
  [40, 146, 'BUTTONS'],
  [380, 146, '2.00'],
  [40, 176, 'TOTAL:'],
  [380, 176, '2.00'],
]);

/** A brand line with a trade word above the registered business, whose name breaks inside a parenthesis. */
export const BRAND_ABOVE_BUSINESS = boxes([
  [100, 20, 'KOPI SENJA CAFE'],
  [100, 42, 'SENJA HOSPITALITY (BANGSAR'],
  [100, 64, 'SOUTH) SDN BHD'],
  [120, 86, '(998877-T)'],
  [80, 108, '12, JALAN TELAWI 3,'],
  [90, 130, '59100 KUALA LUMPUR'],
  [90, 152, 'TEL: 03-2222 3333'],
  [40, 182, 'DATE: 02/01/2019'],
  [40, 212, 'LATTE'],
  [380, 212, '9.00'],
  [40, 242, 'TOTAL:'],
  [380, 242, '9.00'],
]);

/** A registered name whose branch, in parentheses, opens the line of its legal form. */
export const BRANCH_IN_PARENTHESES = boxes([
  [100, 20, 'PASAR BARU MAKMUR'],
  [100, 42, '(CHERAS) SDN BHD'],
  [80, 64, 'NO 5, JALAN MEWAH 2,'],
  [90, 86, '43200 CHERAS, SELANGOR'],
  [40, 116, 'DATE: 03/04/2019'],
  [40, 146, 'SUGAR'],
  [380, 146, '2.90'],
  [40, 176, 'TOTAL:'],
  [380, 176, '2.90'],
]);

/**
 * An outlet line naming its mall above the numbered address, a phone number in
 * international form under it, then a labelled site number.
 */
export const MALL_OUTLET = boxes([
  [100, 20, 'TEH TARIK HOUSE SDN BHD'],
  [100, 42, 'TEH TARIK MUTIARA MALL'],
  [80, 64, 'LOT G-12, MUTIARA MALL,'],
  [90, 86, '50450 KUALA LUMPUR.'],
  [90, 108, '+603-2111 4444'],
  [40, 138, 'DATE: 05/05/2019'],
  [40, 168, 'TEA'],
  [380, 168, '3.50'],
  [40, 198, 'TOTAL:'],
  [380, 198, '3.50'],
]);

/** A street printed above the house number, and a labelled site number after the postcode. */
export const STREET_FIRST = boxes([
  [100, 20, 'MAJU MOTOR ENTERPRISE'],
  [100, 42, 'JALAN KENANGA'],
  [80, 64, '90 GROUND FLOOR'],
  [90, 86, '28700 BENTONG'],
  [90, 108, 'SITE: 1234'],
  [40, 138, 'DATE: 05/05/2019'],
  [40, 168, 'OIL'],
  [380, 168, '30.00'],
  [40, 198, 'TOTAL:'],
  [380, 198, '30.00'],
]);

/** A brand above the registered business, whose legal form is alone on the next line. */
export const LEGAL_FORM_ALONE = boxes([
  [100, 20, 'BUBBLE BAY'],
  [100, 42, 'BUBBLE BAY MALAYSIA'],
  [120, 64, 'SDN BHD'],
  [80, 86, 'UNIT 3-2, JALAN AMAN,'],
  [90, 108, '50450 KUALA LUMPUR'],
  [40, 138, 'DATE: 06/06/2019'],
  [40, 168, 'MILK TEA'],
  [380, 168, '8.00'],
  [40, 198, 'TOTAL:'],
  [380, 198, '8.00'],
]);

/** The registered business introduced by a label ("OWNED BY:") under the brand. */
export const OWNED_BY = boxes([
  [100, 20, 'OLD TOWN GRILL'],
  [100, 42, 'OWNED BY: BARA DINING SDN BHD'],
  [80, 64, 'LOT 9, JALAN BARA,'],
  [90, 86, '47800 PETALING JAYA'],
  [40, 116, 'DATE: 06/06/2019'],
  [40, 146, 'STEAK'],
  [380, 146, '40.00'],
  [40, 176, 'TOTAL:'],
  [380, 176, '40.00'],
]);

/** A shop named with a Malay business word, and a customer's registered business printed after the contact lines. */
export const CUSTOMER_BELOW_CONTACTS = boxes([
  [100, 20, 'PERNIAGAAN SRI INTAN'],
  [80, 42, 'NO.8 JALAN INTAN 2/1'],
  [90, 64, '81750 MASAI'],
  [90, 86, 'TEL : 07-111 2222'],
  [100, 108, 'CUSTOMER: KILANG MEGAH (M) SDN BHD'],
  [40, 138, 'DATE: 07/07/2019'],
  [40, 168, 'BOLTS'],
  [380, 168, '6.00'],
  [40, 198, 'TOTAL:'],
  [380, 198, '6.00'],
]);

/** A capital-city address, then counter wording. */
export const CITY_ADDRESS = boxes([
  [100, 20, 'KEDAI KOPI MERDEKA'],
  [80, 42, 'NO 7, JALAN MERDEKA,'],
  [90, 64, '50050 KUALA LUMPUR'],
  [110, 86, 'DINE IN NOW'],
  [40, 138, 'DATE: 08/08/2019'],
  [40, 168, 'KOPI'],
  [380, 168, '2.00'],
  [40, 198, 'TOTAL:'],
  [380, 198, '2.00'],
]);

/** A station's address above its operator's name, and a labelled five-digit reference under the name. */
export const OPERATOR_BELOW_ADDRESS = boxes([
  [100, 20, 'TAX INVOICE'],
  [100, 42, 'PETRO SETIA 3'],
  [80, 64, 'LOT 88, JALAN SETIA 1'],
  [90, 86, '81750 MASAI, JOHOR'],
  [100, 108, 'MEGA FUEL ENTERPRISE'],
  [100, 130, 'CO. REG. NO: 001234567-T'],
  [40, 152, 'CHIT NUMBER: 12345'],
  [40, 182, 'DATE: 09/09/2019'],
  [40, 212, 'RON95'],
  [380, 212, '50.00'],
  [40, 242, 'TOTAL:'],
  [380, 242, '50.00'],
]);

/** A shop that prints in mixed case with its commas run into the next word, as a photo is read (an O read as a zero in "L0t", a comma as a full stop in "Mewah.48999"). */
export const MIXED_CASE = boxes([
  [120, 20, 'Kedai Buku Ceria Sdn Bhd'],
  [80, 42, 'L0t 8,Jalan Cempaka 2,'],
  [90, 64, 'Taman Mewah.48999 PekanSeri'],
  [110, 86, 'Tel: 03-5512 3344'],
  [40, 120, 'Date: 5 Mar 2019'],
  [40, 160, 'Total 12.50'],
]);
